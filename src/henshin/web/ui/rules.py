"""The rules page: the workspace's rules with enabled toggles and counts, a form-based rule
builder (``static/rules.js``) over the JSON editor it keeps in sync, validation problems
mapped back to the builder's rows by their paths, and a dry run.

The builder is driven by data the page embeds: the rule language's JSON Schema (fields,
operators, triggers, action parameters), the workspace's channels, people, teams and shared
saved replies (so ids are chosen by name), the ``rules.`` translations and the problems of
the last refused save. Without JavaScript the JSON editor still works on its own.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from henshin.channels import repository as channels_repo
from henshin.events.bus import Actor
from henshin.kit.errors import HenshinError
from henshin.models.workspace import Role
from henshin.replies import repository as replies_repo
from henshin.rules import actions
from henshin.rules import repository as repo
from henshin.rules.actions_schema import ACTION_TYPES
from henshin.rules.queries import rule_counts
from henshin.rules.schema import rule_json_schema
from henshin.web.deps import DbSession
from henshin.web.ui.i18n import catalog, pick_language, translator
from henshin.web.ui.rendering import PageCaller, render
from henshin.workspaces import repository as ws_repo

router = APIRouter(include_in_schema=False)

EXAMPLE = {
    "name": "返金キーワード",
    "trigger": "engagement_received",
    "conditions": {"all": [
        {"field": "text", "op": "contains_any", "value": ["返金", "refund"]},
        {"field": "sentiment", "op": "eq", "value": "negative"},
    ]},
    "actions": [{"type": "tag", "tags": ["refund"]}, {"type": "set_priority", "priority": "high"}],
    "stop_processing": False,
}


def _page(request: Request, caller: Any, db: Any, *, editing: Any = None, text: str | None = None,
          problems: list[dict[str, str]] | None = None, status_code: int = 200) -> HTMLResponse:
    rules = repo.rules_of_workspace(db, caller.workspace_id)
    counts = rule_counts(db, caller.workspace_id, [r.id for r in rules])
    schema = rule_json_schema()
    can_edit = caller.role.rank >= Role.SUPERVISOR.rank
    if text is None:
        text = json.dumps(editing.definition if editing is not None else EXAMPLE, ensure_ascii=False, indent=2)
    return render(request, "rules/index.html", {
        "rules": rules, "counts": counts, "editing": editing, "text": text, "problems": problems or [],
        "fields": schema["x-condition-fields"], "triggers": schema["x-triggers"],
        "action_types": ACTION_TYPES, "can_edit": can_edit,
        "builder": _builder_data(request, caller, db, schema, problems or []) if can_edit else None,
    }, caller=caller, status_code=status_code)


def _builder_data(request: Request, caller: Any, db: Any, schema: dict[str, Any],
                  problems: list[dict[str, str]]) -> dict[str, Any]:
    """What ``rules.js`` builds its form from (embedded in the page as JSON)."""
    t = translator(pick_language(request, caller.user.locale, caller.workspace.locale))
    workspace_id = caller.workspace_id
    return {
        "schema": schema,
        "lookups": {
            "channel": [[c.id, c.name] for c in channels_repo.channels_of_workspace(db, workspace_id)],
            "user": [[u.id, u.name] for _, u in ws_repo.members_of_workspace(db, workspace_id)],
            "team": [[team.id, team.name] for team in ws_repo.teams_of_workspace(db, workspace_id)],
            "saved_reply": [[r.id, r.title] for r in replies_repo.all_saved_replies(db, workspace_id)
                            if r.owner_user_id is None],
        },
        "strings": {key: t(key) for key in catalog("en") if key.startswith("rules.")},
        "problems": problems,
    }


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, caller: PageCaller, db: DbSession, edit: int | None = None) -> HTMLResponse:
    """The list, and the editor (a new rule, or ``?edit=<id>``)."""
    editing = repo.get_rule(db, caller.workspace_id, edit) if edit else None
    return _page(request, caller, db, editing=editing)


@router.post("/rules", response_class=HTMLResponse, response_model=None)
def save_rule(request: Request, caller: PageCaller, db: DbSession, definition: str = Form(...),
              rule_id: int | None = Form(None)) -> HTMLResponse | RedirectResponse:
    """Create or replace a rule from the editor; problems come back next to the editor."""
    caller.require(Role.SUPERVISOR)
    editing = repo.get_rule(db, caller.workspace_id, rule_id) if rule_id else None
    try:
        data = json.loads(definition)
        if not isinstance(data, dict):
            raise ValueError("the definition must be a JSON object")
    except ValueError as exc:
        return _page(request, caller, db, editing=editing, text=definition,
                     problems=[{"path": "", "message": f"not valid JSON: {exc}"}], status_code=422)
    try:
        if editing is None:
            actions.do_create_rule(db, caller.workspace_id, actor=Actor.user(caller.user_id), data=data)
        else:
            actions.do_update_rule(db, editing, data=data)
        db.commit()
    except HenshinError as exc:
        db.rollback()
        problems = exc.details if isinstance(exc.details, list) else [{"path": "", "message": exc.message}]
        return _page(request, caller, db, editing=editing, text=definition, problems=problems, status_code=422)
    return RedirectResponse("/rules", status_code=303)


@router.post("/rules/{rule_id}/toggle")
def toggle_rule(rule_id: int, caller: PageCaller, db: DbSession) -> RedirectResponse:
    """Enable or disable a rule."""
    caller.require(Role.SUPERVISOR)
    rule = repo.get_rule(db, caller.workspace_id, rule_id)
    actions.do_update_rule(db, rule, data={"enabled": not rule.enabled}, partial=True)
    db.commit()
    return RedirectResponse("/rules", status_code=303)
