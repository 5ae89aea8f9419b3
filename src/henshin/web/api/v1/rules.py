"""Rules: CRUD with validation that says where, reordering, stats, action log, dry run."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from henshin.events.bus import Actor
from henshin.kit.errors import InvalidInput
from henshin.models import Rule
from henshin.models.workspace import Role
from henshin.rules import actions
from henshin.rules import repository as repo
from henshin.rules.dry_run import dry_run_rule
from henshin.rules.queries import rule_counts, rule_stats, tag_stats
from henshin.rules.schema import parse_rule, rule_json_schema
from henshin.web.deps import CurrentCaller, DbSession

router = APIRouter(prefix="/rules", tags=["rules"])


class RuleOut(BaseModel):
    id: int
    name: str
    trigger: str
    position: int
    enabled: bool
    stop_processing: bool
    definition: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    counts: dict[str, int] = Field(default_factory=dict)


def _out(rule: Rule, counts: dict[str, int] | None = None) -> RuleOut:
    return RuleOut(id=rule.id, name=rule.name, trigger=rule.trigger, position=rule.position,
                   enabled=rule.enabled, stop_processing=rule.stop_processing, definition=rule.definition,
                   created_at=rule.created_at, updated_at=rule.updated_at, counts=counts or {})


@router.get("", response_model=list[RuleOut])
def list_rules(caller: CurrentCaller, db: DbSession) -> list[RuleOut]:
    """The workspace's rules in evaluation order, with run and action counts (30 days)."""
    rules = repo.rules_of_workspace(db, caller.workspace_id)
    counts = rule_counts(db, caller.workspace_id, [r.id for r in rules])
    return [_out(r, counts.get(r.id)) for r in rules]


@router.get("/schema")
def schema(caller: CurrentCaller) -> dict[str, Any]:
    """JSON Schema of a rule definition, with the condition field catalog."""
    del caller
    return rule_json_schema()


@router.get("/stats")
def stats_by_tag(caller: CurrentCaller, db: DbSession, group_by: str = "tag",
                 days: Annotated[int, Query(ge=1, le=366)] = 30) -> dict[str, Any]:
    """Counts of rule actions over time grouped by tag (``group_by=tag``)."""
    if group_by != "tag":
        raise InvalidInput("group_by supports 'tag' (per rule: GET /api/v1/rules/{id}/stats)")
    return {"group_by": "tag", "days": days, "items": tag_stats(db, caller.workspace_id, days=days)}


class DryRunIn(BaseModel):
    rule: dict[str, Any]
    days: int = Field(default=7, ge=1, le=90)
    limit: int = Field(default=200, ge=1, le=1000)


@router.post("/dry-run")
def dry_run(body: DryRunIn, caller: CurrentCaller, db: DbSession) -> dict[str, Any]:
    """What this (unsaved) rule would have done over the last ``days`` days; changes nothing."""
    spec = parse_rule(body.rule)
    return dry_run_rule(db, caller.workspace_id, spec, days=body.days, limit=body.limit)


@router.post("", response_model=RuleOut, status_code=201)
def create_rule(caller: CurrentCaller, db: DbSession, body: Annotated[dict[str, Any], Body()]) -> RuleOut:
    """Create a rule; a 422 lists each problem with its path (``actions[0].type``)."""
    caller.require(Role.SUPERVISOR)
    rule = actions.do_create_rule(db, caller.workspace_id, actor=Actor.user(caller.user_id), data=body)
    db.commit()
    return _out(rule)


class ReorderIn(BaseModel):
    rule_ids: list[int]


@router.post("/reorder", response_model=list[RuleOut])
def reorder(body: ReorderIn, caller: CurrentCaller, db: DbSession) -> list[RuleOut]:
    caller.require(Role.SUPERVISOR)
    actions.do_reorder_rules(db, caller.workspace_id, body.rule_ids)
    db.commit()
    return [_out(r) for r in repo.rules_of_workspace(db, caller.workspace_id)]


@router.get("/{rule_id}", response_model=RuleOut)
def get_rule(rule_id: int, caller: CurrentCaller, db: DbSession) -> RuleOut:
    rule = repo.get_rule(db, caller.workspace_id, rule_id)
    return _out(rule, rule_counts(db, caller.workspace_id, [rule.id]).get(rule.id))


@router.put("/{rule_id}", response_model=RuleOut)
def replace_rule(rule_id: int, caller: CurrentCaller, db: DbSession,
                 body: Annotated[dict[str, Any], Body()]) -> RuleOut:
    caller.require(Role.SUPERVISOR)
    rule = actions.do_update_rule(db, repo.get_rule(db, caller.workspace_id, rule_id), data=body)
    db.commit()
    return _out(rule)


@router.patch("/{rule_id}", response_model=RuleOut)
def update_rule(rule_id: int, caller: CurrentCaller, db: DbSession,
                body: Annotated[dict[str, Any], Body()]) -> RuleOut:
    """Change some keys (e.g. ``{"enabled": false}``); the result is validated whole."""
    caller.require(Role.SUPERVISOR)
    rule = actions.do_update_rule(db, repo.get_rule(db, caller.workspace_id, rule_id), data=body, partial=True)
    db.commit()
    return _out(rule)


@router.delete("/{rule_id}", status_code=204)
def delete_rule(rule_id: int, caller: CurrentCaller, db: DbSession) -> None:
    caller.require(Role.SUPERVISOR)
    actions.do_delete_rule(db, repo.get_rule(db, caller.workspace_id, rule_id))
    db.commit()


@router.get("/{rule_id}/stats")
def stats(rule_id: int, caller: CurrentCaller, db: DbSession,
          days: Annotated[int, Query(ge=1, le=366)] = 30) -> dict[str, Any]:
    """One rule's actions over the last ``days`` days, by action/result and by day."""
    repo.get_rule(db, caller.workspace_id, rule_id)
    return rule_stats(db, caller.workspace_id, rule_id, days=days)


@router.get("/{rule_id}/log")
def action_log(rule_id: int, caller: CurrentCaller, db: DbSession,
               limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
    """The latest actions this rule took: ticket, action, result, message, when."""
    repo.get_rule(db, caller.workspace_id, rule_id)
    return [{"id": r.id, "ticket_id": r.ticket_id, "action": r.action, "result": r.result,
             "message": r.message, "tags": r.tags, "at": r.created_at.isoformat()}
            for r in repo.action_log(db, caller.workspace_id, rule_id=rule_id, limit=limit)]
