"""The Settings page, ``/settings``: team members and their routing, teams, SLA policies, escalation,
business hours.

One page with four sections, each editable by the role the API asks for: anyone sets
their own availability, supervisors edit agents' routing profiles and teams, admins edit
roles, SLA policies and escalation. Forms post with the session's CSRF token; a form the
actions refuse comes back on the same page (422/409) with what was typed kept and each
problem next to its field, in the person's language (`settings_forms`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from henshin.channels import repository as channels_repo
from henshin.connectors.types import Network
from henshin.kit.errors import Conflict, HenshinError, NotFound
from henshin.kit.time import utc_now
from henshin.models import Workspace
from henshin.models.workspace import Role
from henshin.routing import actions as routing_actions
from henshin.routing import repository as routing_repo
from henshin.routing.availability import AVAILABILITIES, candidates
from henshin.routing.escalation import LEVELS, escalation_config
from henshin.routing.hours import WEEKDAYS
from henshin.routing.strategies import STRATEGIES
from henshin.web.deps import Caller, DbSession
from henshin.web.ui.rendering import PageCaller, render
from henshin.web.ui.settings_forms import (
    SLA_CHOICES,
    FormProblems,
    periods_text,
    read_business_hours,
    read_escalation,
    read_profile,
    read_sla_policy,
    text_of,
)
from henshin.workspaces import actions as ws_actions
from henshin.workspaces import repository as ws_repo

router = APIRouter(include_in_schema=False)

NETWORKS = tuple(n.value for n in Network if n is not Network.API)  # skills name social networks
ROLES = tuple(r.value for r in Role)


def _may(caller: Caller, role: Role) -> bool:
    return caller.role.rank >= role.rank


def _members(db: DbSession, caller: Caller) -> list[dict[str, Any]]:
    rows = [(u, m) for m, u in ws_repo.members_of_workspace(db, caller.workspace_id)]
    shifts = routing_repo.shifts(db, caller.workspace_id, [u.id for u, _ in rows])
    pool = candidates(db, caller.workspace_id, rows, utc_now())
    teams = {t.id: t.name for t in ws_repo.teams_of_workspace(db, caller.workspace_id)}
    out = []
    for (user, membership), cand in zip(rows, pool, strict=True):
        schedule = shifts[user.id].schedule if user.id in shifts else None
        if cand.availability != "online":
            why: tuple[str, dict[str, Any]] | None = ("settings.why." + cand.availability, {})
        elif not cand.on_shift:
            why = ("settings.why.off_shift", {})
        elif cand.at_capacity:
            why = ("settings.why.capacity", {"open": cand.open_tickets, "cap": cand.capacity})
        else:
            why = None
        out.append({
            "user_id": user.id, "name": user.name, "email": user.email, "role": membership.role,
            "availability": user.availability, "skills": membership.skills or {},
            "max_open_tickets": membership.max_open_tickets, "open_tickets": cand.open_tickets,
            "on_shift": cand.on_shift, "shift": schedule, "why": why,
            "teams": [teams[t] for t in ws_repo.team_ids_of_user(db, caller.workspace_id, user.id) if t in teams],
        })
    return out


def _member_form(member: dict[str, Any], workspace_zone: str) -> dict[str, Any]:
    """The member form's fields, filled from what is stored."""
    skills, shift = member["skills"], member["shift"]
    values: dict[str, Any] = {
        "languages": ", ".join(skills.get("languages", [])), "topics": ", ".join(skills.get("topics", [])),
        "networks": list(skills.get("networks", [])),
        "max_open_tickets": "" if member["max_open_tickets"] is None else str(member["max_open_tickets"]),
        "has_shift": shift is not None,
        "shift_timezone": (shift or {}).get("timezone", workspace_zone),
        "shift_holidays": shift is None or shift.get("holiday_country") is not None,
    }
    for day in WEEKDAYS:
        values[f"shift_{day}"] = periods_text((shift or {}).get("week", {}).get(day, []))
    return values


def _submitted(form: Any) -> dict[str, Any]:
    """What was typed, to show again after a refusal."""
    values: dict[str, Any] = {key: str(value) for key, value in form.items()}
    values["networks"] = [str(n) for n in form.getlist("networks")]
    for flag in ("has_shift", "shift_holidays", "business_hours", "pause_when_snoozed", "enabled",
                 "has_hours", "hours_holidays"):
        values[flag] = bool(form.get(flag))
    return values


def _sla_form(policy: Any) -> dict[str, Any]:
    if policy is None:
        return {"id": None, "name": "", "priority": "", "escalation_level": "", "channel_id": "",
                "first_response_minutes": "60", "next_response_minutes": "", "resolution_minutes": "",
                "warn_before_minutes": "15", "position": "0", "business_hours": True,
                "pause_when_snoozed": True, "enabled": True}
    values = {key: "" if getattr(policy, key) is None else str(getattr(policy, key))
              for key in ("name", "priority", "escalation_level", "channel_id", "first_response_minutes",
                          "next_response_minutes", "resolution_minutes", "warn_before_minutes", "position")}
    values.update(id=policy.id, business_hours=policy.business_hours,
                  pause_when_snoozed=policy.pause_when_snoozed, enabled=policy.enabled)
    return values


def _hours_form(hours: dict[str, Any] | None, workspace_zone: str) -> dict[str, Any]:
    """The business-hours form, filled from the workspace (none yet: a Japanese office week)."""
    shown = hours or {"timezone": workspace_zone, "holiday_country": "JP",
                      "week": {day: [["09:00", "18:00"]] for day in WEEKDAYS[:5]}}
    values: dict[str, Any] = {
        "has_hours": hours is not None, "hours_timezone": shown.get("timezone", workspace_zone),
        "hours_holidays": shown.get("holiday_country") is not None,
        "hours_closed_dates": ", ".join(shown.get("closed_dates", [])),
    }
    for day in WEEKDAYS:
        values[f"hours_{day}"] = periods_text(shown.get("week", {}).get(day, []))
    return values


def _escalation_form(config: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for level in LEVELS:
        target = config.get(level, {})
        values[f"{level}_team_id"] = str(target.get("team_id") or "")
        values[f"{level}_user_id"] = str(target.get("user_id") or "")
        values[f"{level}_strategy"] = target.get("strategy", "least_loaded")
        values[f"{level}_notify_emails"] = "\n".join(target.get("notify_emails", []))
        values[f"{level}_notify_slack_url"] = target.get("notify_slack_url") or ""
    return values


def _page(request: Request, caller: Caller, db: DbSession, *, forms: dict[str, Any] | None = None,
          problems: FormProblems | None = None, status_code: int = 200) -> Response:
    """The whole page; ``forms`` holds typed values of a refused form, keyed by form name."""
    forms = dict(forms or {})
    params = request.query_params
    members = _members(db, caller)
    by_id = {m["user_id"]: m for m in members}
    member_id = params.get("member")
    if "member" not in forms and member_id and member_id.isdigit() and int(member_id) in by_id:
        forms["member"] = {"user_id": int(member_id), **_member_form(by_id[int(member_id)], caller.workspace.timezone)}
    if "member" in forms and forms["member"]["user_id"] not in by_id:
        raise NotFound(f"user {forms['member']['user_id']} is not a member of this workspace")
    policies = routing_repo.sla_policies(db, caller.workspace_id)
    sla = params.get("sla")
    if "sla" not in forms and sla:
        found = next((p for p in policies if str(p.id) == sla), None)
        if sla == "new" or found is not None:
            forms["sla"] = _sla_form(found)
    forms.setdefault("escalation", _escalation_form(escalation_config(caller.workspace)))
    forms.setdefault("hours", _hours_form(caller.workspace.business_hours, caller.workspace.timezone))
    teams = [{"id": t.id, "name": t.name, "member_ids": ws_repo.team_member_ids(db, t.id)}
             for t in ws_repo.teams_of_workspace(db, caller.workspace_id)]
    channels = [(c.id, c.name) for c in channels_repo.channels_of_workspace(db, caller.workspace_id)]
    return render(request, "settings/index.html", {
        "members": members, "teams": teams, "policies": policies, "channels": channels,
        "channel_names": dict(channels), "member_names": {m["user_id"]: m["name"] for m in members},
        "forms": forms, "errors": problems.fields if problems else {}, "saved": params.get("saved"),
        "weekdays": WEEKDAYS, "availabilities": AVAILABILITIES, "networks": NETWORKS, "roles": ROLES,
        "levels": LEVELS, "strategies": STRATEGIES, "priorities": SLA_CHOICES["priority"],
        "is_supervisor": _may(caller, Role.SUPERVISOR), "is_admin": _may(caller, Role.ADMIN),
    }, caller=caller, status_code=status_code)


def _workspace(db: DbSession, caller: Caller) -> Workspace:
    """The caller's workspace as a row of this session, to write to."""
    workspace = routing_repo.workspace(db, caller.workspace_id)
    assert workspace is not None
    return workspace


def _done(section: str) -> RedirectResponse:
    return RedirectResponse(f"/settings?saved={section}#{section}", status_code=303)


def _refused(problems: FormProblems, field: str, key: str, **values: Any) -> FormProblems:
    problems.add(field, key, **values)
    return problems


def _apply(request: Request, caller: Caller, db: DbSession, change: Callable[[], object], *, section: str,
           form: str, typed: dict[str, Any], refused_at: str | None = None) -> Response:
    """A section's form: ``change()``, commit, back to the section. What the form readers
    refuse comes back (422) with each problem at its field and what was typed kept; what
    the actions refuse, at ``refused_at`` with their words (none: the error page). A
    missing record stays a 404."""
    try:
        change()
        db.commit()
    except FormProblems as problems:
        db.rollback()
        return _page(request, caller, db, forms={form: typed}, problems=problems, status_code=422)
    except HenshinError as error:
        db.rollback()
        if refused_at is None or isinstance(error, NotFound):
            raise
        refusal = _refused(FormProblems(), refused_at, "settings.error.refused", detail=error.message)
        return _page(request, caller, db, forms={form: typed}, problems=refusal, status_code=error.status_code)
    return _done(section)


@router.get("/settings")
def settings_page(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Members, teams, SLA policies and escalation; ``?member=<id>`` / ``?sla=<id>|new`` open an editor."""
    return _page(request, caller, db)


@router.post("/settings/availability")
async def set_availability(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Online / away / offline: anyone for themselves, supervisors for anyone."""
    form = await request.form()
    raw_id = text_of(form, "user_id")
    user_id = int(raw_id) if raw_id.isdigit() else caller.user_id
    if user_id != caller.user_id:
        caller.require(Role.SUPERVISOR)
    availability = text_of(form, "availability")
    if availability not in AVAILABILITIES:
        problems = _refused(FormProblems(), f"availability_{user_id}", "settings.error.choice", value=availability)
        return _page(request, caller, db, problems=problems, status_code=422)
    routing_actions.do_set_availability(db, caller.workspace_id, user_id, availability,
                                        actor=caller.actor)
    db.commit()
    return _done("members")


@router.post("/settings/members/{user_id}")
async def save_member(user_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    """An agent's skills, capacity and weekly shift (supervisors)."""
    caller.require(Role.SUPERVISOR)
    form = await request.form()

    def change() -> None:
        profile = read_profile(form, NETWORKS)
        routing_actions.do_set_routing_profile(
            db, caller.workspace_id, user_id, skills=profile.skills,
            max_open_tickets=profile.max_open_tickets, shift=profile.shift,
        )

    return _apply(request, caller, db, change, section="members", form="member",
                  typed={**_submitted(form), "user_id": user_id}, refused_at="shift_timezone")


@router.post("/settings/members/{user_id}/role")
async def set_role(user_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Make a member an agent, supervisor or admin (admins; at least one admin stays)."""
    caller.require(Role.ADMIN)
    role = text_of(await request.form(), "role")
    try:
        ws_actions.do_set_member_role(db, workspace_id=caller.workspace_id, user_id=user_id, role=role)
        db.commit()
    except HenshinError as error:
        db.rollback()
        if isinstance(error, NotFound):
            raise
        key = "settings.error.last_admin" if isinstance(error, Conflict) else "settings.error.choice"
        problems = _refused(FormProblems(), f"role_{user_id}", key, value=role)
        return _page(request, caller, db, problems=problems, status_code=error.status_code)
    return _done("members")


@router.post("/settings/members")
async def add_member(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Add a person by email: an existing account, or a new one with a first password (admins)."""
    caller.require(Role.ADMIN)
    form = await request.form()
    problems = FormProblems()
    email, password = text_of(form, "email"), str(form.get("password") or "")
    if "@" not in email:
        problems.add("email", "settings.error.email", value=email)
    if password and len(password) < 8:
        problems.add("password", "settings.error.password")
    if text_of(form, "role") not in ROLES:
        problems.add("role", "settings.error.choice", value=text_of(form, "role"))
    try:
        problems.raise_if_any()
        ws_actions.do_invite_member(db, workspace=caller.workspace, email=email, name=text_of(form, "name"),
                                    role=text_of(form, "role"), password=password or None)
        db.commit()
    except FormProblems:
        return _page(request, caller, db, forms={"add_member": _submitted(form)}, problems=problems,
                     status_code=422)
    except HenshinError as error:
        db.rollback()
        if isinstance(error, Conflict):
            field, key = "email", "settings.error.already_member"
        elif error.message.startswith("password"):
            field, key = "password", "settings.error.password"
        else:
            field, key = "email", "settings.error.email"
        return _page(request, caller, db, forms={"add_member": _submitted(form)},
                     problems=_refused(problems, field, key, value=email), status_code=error.status_code)
    return _done("members")


def _team_values(form: Any) -> tuple[str, list[int]]:
    return text_of(form, "name"), sorted({int(v) for v in form.getlist("member_ids") if str(v).isdigit()})


@router.post("/settings/teams")
async def create_team(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Create a team with its members (supervisors)."""
    caller.require(Role.SUPERVISOR)
    form = await request.form()
    name, member_ids = _team_values(form)
    return _save_team(request, caller, db, None, name, member_ids)


@router.post("/settings/teams/{team_id}")
async def update_team(team_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Rename a team and set who is in it (supervisors)."""
    caller.require(Role.SUPERVISOR)
    name, member_ids = _team_values(await request.form())
    return _save_team(request, caller, db, team_id, name, member_ids)


def _save_team(request: Request, caller: Caller, db: DbSession, team_id: int | None, name: str,
               member_ids: list[int]) -> Response:
    field = f"team_{team_id or 'new'}_name"
    if not name:
        return _page(request, caller, db, forms={f"team_{team_id or 'new'}": {"name": name, "member_ids": member_ids}},
                     problems=_refused(FormProblems(), field, "settings.error.required"), status_code=422)
    try:
        if team_id is None:
            ws_actions.do_create_team(db, workspace_id=caller.workspace_id, name=name, member_ids=member_ids)
        else:
            ws_actions.do_update_team(db, workspace_id=caller.workspace_id, team_id=team_id, name=name,
                                      member_ids=member_ids)
        db.commit()
    except HenshinError as error:
        db.rollback()
        if isinstance(error, NotFound):
            raise
        key = "settings.error.team_exists" if isinstance(error, Conflict) else "settings.error.too_long"
        return _page(request, caller, db, forms={f"team_{team_id or 'new'}": {"name": name, "member_ids": member_ids}},
                     problems=_refused(FormProblems(), field, key, value=name, limit=120),
                     status_code=error.status_code)
    return _done("teams")


@router.post("/settings/teams/{team_id}/delete")
def delete_team(team_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Delete a team (refused while an escalation level sends tickets to it)."""
    caller.require(Role.SUPERVISOR)
    try:
        ws_actions.do_delete_team(db, workspace=caller.workspace, team_id=team_id)
        db.commit()
    except Conflict:
        db.rollback()
        problems = _refused(FormProblems(), f"team_{team_id}_name", "settings.error.team_escalates")
        return _page(request, caller, db, problems=problems, status_code=409)
    return _done("teams")


@router.post("/settings/sla")
async def create_policy(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Create an SLA policy (admins)."""
    caller.require(Role.ADMIN)
    return await _save_policy(request, caller, db, None)


@router.post("/settings/sla/{policy_id}")
async def update_policy(policy_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Change an SLA policy (admins)."""
    caller.require(Role.ADMIN)
    return await _save_policy(request, caller, db, policy_id)


async def _save_policy(request: Request, caller: Caller, db: DbSession, policy_id: int | None) -> Response:
    policy = None
    if policy_id is not None:
        policy = routing_repo.sla_policy(db, caller.workspace_id, policy_id)
        if policy is None:
            raise NotFound(f"SLA policy {policy_id} not found")
    form = await request.form()
    channel_ids = {c.id for c in channels_repo.channels_of_workspace(db, caller.workspace_id)}
    return _apply(request, caller, db,
                  lambda: routing_actions.do_save_sla_policy(db, caller.workspace_id,
                                                             read_sla_policy(form, channel_ids), policy),
                  section="sla", form="sla", typed={**_submitted(form), "id": policy_id}, refused_at="name")


@router.post("/settings/sla/{policy_id}/delete")
def delete_policy(policy_id: int, caller: PageCaller, db: DbSession) -> Response:
    """Delete an SLA policy (admins)."""
    caller.require(Role.ADMIN)
    policy = routing_repo.sla_policy(db, caller.workspace_id, policy_id)
    if policy is None:
        raise NotFound(f"SLA policy {policy_id} not found")
    db.delete(policy)
    db.commit()
    return _done("sla")


@router.post("/settings/escalation")
async def save_escalation(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Where L1, L2 and L3 go: a team or a person, the strategy, who is emailed (admins)."""
    caller.require(Role.ADMIN)
    form = await request.form()
    team_ids = {t.id for t in ws_repo.teams_of_workspace(db, caller.workspace_id)}
    user_ids = {m.user_id for m, _ in ws_repo.members_of_workspace(db, caller.workspace_id)}
    return _apply(request, caller, db,
                  lambda: routing_actions.do_set_escalation_config(
                      db, _workspace(db, caller), read_escalation(form, LEVELS, team_ids, user_ids, STRATEGIES)),
                  section="escalation", form="escalation", typed=_submitted(form))


@router.post("/settings/hours")
async def save_business_hours(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """The workspace's business hours, or none (every hour counts) (admins)."""
    caller.require(Role.ADMIN)
    form = await request.form()
    return _apply(request, caller, db,
                  lambda: routing_actions.do_set_business_hours(db, _workspace(db, caller), read_business_hours(form),
                                                                actor=caller.actor),
                  section="hours", form="hours", typed=_submitted(form), refused_at="hours_mon")
