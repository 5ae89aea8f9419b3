"""Routing: agents' availability, skills, capacity and shifts; automatic assignment; escalation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from henshin.kit.errors import InvalidInput, NotFound
from henshin.kit.time import utc_now
from henshin.models.workspace import Role
from henshin.routing import actions
from henshin.routing import repository as repo
from henshin.routing.assignment import do_auto_assign, do_pull_next
from henshin.routing.availability import candidates
from henshin.routing.escalation import do_deescalate, do_escalate, escalation_config
from henshin.routing.strategies import STRATEGIES
from henshin.tickets.queries import ticket_detail
from henshin.tickets.schemas import TicketDetail
from henshin.web.deps import Caller, CurrentCaller, DbSession
from henshin.workspaces import repository as ws_repo

router = APIRouter(tags=["routing"])



class AvailabilityIn(BaseModel):
    availability: str
    user_id: int | None = None  # another agent (supervisors); default: yourself


@router.put("/routing/availability")
def set_availability(body: AvailabilityIn, caller: CurrentCaller, db: DbSession) -> dict[str, Any]:
    """Go online / away / offline; coming online pulls the oldest waiting tickets of your teams."""
    user_id = body.user_id or caller.user_id
    if user_id != caller.user_id:
        caller.require(Role.SUPERVISOR)
    assigned = actions.do_set_availability(db, caller.workspace_id, user_id, body.availability,
                                           actor=caller.actor)
    db.commit()
    return {"user_id": user_id, "availability": body.availability, "assigned_ticket_ids": assigned}


class ProfileIn(BaseModel):
    skills: dict[str, Any] | None = None
    max_open_tickets: int | None = Field(default=None, ge=0)
    shift: dict[str, Any] | None = None


@router.put("/routing/agents/{user_id}")
def set_profile(user_id: int, body: ProfileIn, caller: CurrentCaller, db: DbSession) -> dict[str, Any]:
    """Set an agent's skills, capacity and weekly shift (only the keys sent change)."""
    caller.require(Role.SUPERVISOR)
    sent = body.model_fields_set
    actions.do_set_routing_profile(
        db, caller.workspace_id, user_id, skills=body.skills if "skills" in sent else None,
        max_open_tickets=body.max_open_tickets if "max_open_tickets" in sent else "keep",
        shift=body.shift if "shift" in sent else "keep",
    )
    db.commit()
    return _agents(caller, db, user_id)[0]


def _agents(caller: Caller, db: DbSession, only: int | None = None) -> list[dict[str, Any]]:
    if only is not None:
        found = repo.member(db, caller.workspace_id, only)
        if found is None:
            raise NotFound(f"user {only} is not a member of this workspace")
        members = [found]
    else:
        members = [(u, m) for m, u in ws_repo.members_of_workspace(db, caller.workspace_id)]
    shifts = repo.shifts(db, caller.workspace_id, [u.id for u, _ in members])
    pool = candidates(db, caller.workspace_id, members, utc_now())
    return [
        {"user_id": user.id, "name": user.name, "availability": user.availability,
         "skills": membership.skills or {}, "max_open_tickets": membership.max_open_tickets,
         "open_tickets": cand.open_tickets, "on_shift": cand.on_shift,
         "shift": shifts[user.id].schedule if user.id in shifts else None,
         "can_take_work": cand.unavailable_because() is None,
         "unavailable_because": cand.unavailable_because()}
        for (user, membership), cand in zip(members, pool, strict=True)
    ]


@router.get("/routing/agents")
def list_agents(caller: CurrentCaller, db: DbSession) -> list[dict[str, Any]]:
    """Every member with availability, skills, load, capacity, shift and whether they can take work."""
    return _agents(caller, db)


class AutoAssignIn(BaseModel):
    team_id: int
    strategy: str = "round_robin"


@router.post("/tickets/{ticket_id}/auto-assign", response_model=TicketDetail)
def auto_assign(ticket_id: int, body: AutoAssignIn, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    """Assign within a team by strategy (round_robin, least_loaded, skill_based); explained in history."""
    if body.strategy not in STRATEGIES:
        raise InvalidInput(f"strategy is one of {', '.join(STRATEGIES)}, not {body.strategy!r}")
    ticket = _ticket(caller, db, ticket_id)
    do_auto_assign(db, ticket, team_id=body.team_id, strategy=body.strategy, actor=caller.actor)
    db.commit()
    return ticket_detail(db, caller.workspace_id, ticket_id, viewer_user_id=caller.user_id)


@router.post("/routing/pull")
def pull(caller: CurrentCaller, db: DbSession) -> dict[str, Any]:
    """Take the oldest waiting unassigned tickets of your teams (up to your capacity)."""
    assigned = do_pull_next(db, caller.workspace_id, caller.user_id, actor=caller.actor)
    db.commit()
    return {"assigned_ticket_ids": assigned}


def _ticket(caller: Caller, db: DbSession, ticket_id: int):  # type: ignore[no-untyped-def]
    ticket = repo.ticket(db, caller.workspace_id, ticket_id, lock=True)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


class EscalateIn(BaseModel):
    level: str
    note: str = Field(min_length=1, max_length=4000, description="the hand-off note")
    steps_taken: str | None = Field(default=None, max_length=4000)
    customer_said: str | None = Field(default=None, max_length=4000)


@router.post("/tickets/{ticket_id}/escalate", response_model=TicketDetail)
def escalate(ticket_id: int, body: EscalateIn, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    """Escalate to L1/L2/L3 with a hand-off note; moves to the level's owner and notifies them."""
    ticket = _ticket(caller, db, ticket_id)
    do_escalate(db, ticket, level=body.level, note=body.note, actor=caller.actor,
                steps_taken=body.steps_taken, customer_said=body.customer_said)
    db.commit()
    return ticket_detail(db, caller.workspace_id, ticket_id, viewer_user_id=caller.user_id)


class DeescalateIn(BaseModel):
    note: str = Field(min_length=1, max_length=4000)
    level: str | None = None


@router.post("/tickets/{ticket_id}/deescalate", response_model=TicketDetail)
def deescalate(ticket_id: int, body: DeescalateIn, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    ticket = _ticket(caller, db, ticket_id)
    do_deescalate(db, ticket, actor=caller.actor, note=body.note, level=body.level)
    db.commit()
    return ticket_detail(db, caller.workspace_id, ticket_id, viewer_user_id=caller.user_id)


class BusinessHoursIn(BaseModel):
    business_hours: dict[str, Any] | None = Field(
        description="WeeklySchedule JSON: {timezone, week: {mon: [[\"09:00\", \"18:00\"]]…}, "
                    "holiday_country: \"JP\" | null, closed_dates: [\"2026-12-31\"…]}; null: calendar hours")


@router.get("/routing/business-hours")
def get_business_hours(caller: CurrentCaller, db: DbSession) -> dict[str, Any]:
    """The workspace's business hours (null: every hour counts)."""
    del db
    return {"business_hours": caller.workspace.business_hours}


@router.put("/routing/business-hours")
def put_business_hours(body: BusinessHoursIn, caller: CurrentCaller, db: DbSession) -> dict[str, Any]:
    """Set or clear the business hours; the reports' business-time figures are recomputed."""
    caller.require(Role.ADMIN)
    workspace = repo.workspace(db, caller.workspace_id)
    assert workspace is not None
    hours = actions.do_set_business_hours(db, workspace, body.business_hours, actor=caller.actor)
    db.commit()
    return {"business_hours": hours}


@router.get("/routing/escalation")
def get_escalation(caller: CurrentCaller, db: DbSession) -> dict[str, Any]:
    del db
    return escalation_config(caller.workspace)


@router.put("/routing/escalation")
def put_escalation(body: dict[str, Any], caller: CurrentCaller, db: DbSession) -> dict[str, Any]:
    """Where each level goes: ``{"L3": {"team_id": 2, "strategy": "least_loaded", "notify_emails": [...]}}``."""
    caller.require(Role.ADMIN)
    workspace = repo.workspace(db, caller.workspace_id)
    assert workspace is not None
    config = actions.do_set_escalation_config(db, workspace, body)
    db.commit()
    return config
