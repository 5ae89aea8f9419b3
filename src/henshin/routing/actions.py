"""Routing settings: availability, shifts, skills, capacity, SLA policies, escalation owners.

``check_*`` validate, ``do_*`` write; nothing commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from henshin.events.bus import Actor, Event, publish
from henshin.events.names import EventName
from henshin.kit.errors import InvalidInput, NotFound
from henshin.kit.time import utc_now
from henshin.models import AgentShift, Membership, SlaPolicy, User, Workspace
from henshin.routing import repository as repo
from henshin.routing.assignment import do_pull_next
from henshin.routing.availability import AVAILABILITIES, check_schedule, check_skills
from henshin.routing.escalation import check_escalation_config, check_level

SLA_FIELDS = ("name", "position", "enabled", "priority", "escalation_level", "channel_id",
              "first_response_minutes", "next_response_minutes", "resolution_minutes",
              "business_hours", "pause_when_snoozed", "warn_before_minutes")
PRIORITIES = ("low", "normal", "high", "urgent")


def _member(db: Session, workspace_id: int, user_id: int) -> tuple[User, Membership]:
    found = repo.member(db, workspace_id, user_id)
    if found is None:
        raise NotFound(f"user {user_id} is not a member of this workspace")
    return found


def do_set_availability(db: Session, workspace_id: int, user_id: int, availability: str,
                        *, actor: Actor) -> list[int]:
    """Set online / away / offline; coming online pulls the oldest waiting tickets."""
    if availability not in AVAILABILITIES:
        raise InvalidInput(f"availability is one of {', '.join(AVAILABILITIES)}, not {availability!r}")
    user, _ = _member(db, workspace_id, user_id)
    del actor  # availability is not ticket history
    user.availability = availability
    db.flush()
    return do_pull_next(db, workspace_id, user_id) if availability == "online" else []


def do_set_routing_profile(db: Session, workspace_id: int, user_id: int, *, skills: dict[str, Any] | None = None,
                           max_open_tickets: int | None | str = "keep",
                           shift: dict[str, Any] | None | str = "keep") -> None:
    """Set an agent's skills, capacity (None: no limit) and weekly shift (None: always on)."""
    _user, membership = _member(db, workspace_id, user_id)
    if skills is not None:
        membership.skills = {**(membership.skills or {}), **check_skills(skills)}
    if max_open_tickets != "keep":
        if max_open_tickets is not None and (not isinstance(max_open_tickets, int) or max_open_tickets < 0):
            raise InvalidInput("max_open_tickets must be a whole number ≥ 0, or null for no limit")
        membership.max_open_tickets = max_open_tickets
    if shift != "keep":
        row = repo.shifts(db, workspace_id, [user_id]).get(user_id)
        if shift is None:
            if row is not None:
                db.delete(row)
        else:
            schedule = check_schedule(shift)  # type: ignore[arg-type]
            if row is None:
                row = AgentShift(workspace_id=workspace_id, user_id=user_id)
                db.add(row)
            row.schedule = schedule.to_json()
            row.updated_at = utc_now()
    db.flush()


def check_sla_policy(db: Session, workspace_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Validate a policy's fields; says which one is wrong."""
    unknown = set(data) - set(SLA_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown field(s) {sorted(unknown)}", details={"allowed": list(SLA_FIELDS)})
    if "name" in data and not str(data["name"] or "").strip():
        raise InvalidInput("name: a policy needs a name")
    if data.get("priority") is not None and data["priority"] not in PRIORITIES:
        raise InvalidInput(f"priority is one of {', '.join(PRIORITIES)} or null")
    if data.get("escalation_level") is not None:
        check_level(data["escalation_level"])
    if data.get("channel_id") is not None:
        from henshin.channels import repository as channels_repo

        channels_repo.get_channel(db, workspace_id, int(data["channel_id"]))
    for key in ("first_response_minutes", "next_response_minutes", "resolution_minutes", "warn_before_minutes"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0
                                  or value > 60 * 24 * 365):
            raise InvalidInput(f"{key} must be a whole number of minutes between 0 and one year, or null")
    return data


def do_save_sla_policy(db: Session, workspace_id: int, data: dict[str, Any],
                       policy: SlaPolicy | None = None) -> SlaPolicy:
    """Create (``policy`` None) or update a policy."""
    data = check_sla_policy(db, workspace_id, data)
    if policy is None:
        if not data.get("name"):
            raise InvalidInput("name: a policy needs a name")
        policy = SlaPolicy(workspace_id=workspace_id)
        db.add(policy)
    for key, value in data.items():
        setattr(policy, key, value.strip() if key == "name" else value)
    if not any((policy.first_response_minutes, policy.next_response_minutes, policy.resolution_minutes)):
        raise InvalidInput("set at least one target: first_response_minutes, next_response_minutes or resolution_minutes")
    policy.updated_at = utc_now()
    db.flush()
    return policy


def check_business_hours(data: dict[str, Any]) -> dict[str, Any]:
    """Business hours as `WeeklySchedule` JSON, normalised, or ``InvalidInput`` saying what is wrong."""
    schedule = check_schedule(data, field="business_hours")
    if not any(schedule.week.values()):
        raise InvalidInput("business_hours: open at least one period in the week, or clear the business hours")
    return schedule.to_json()


def do_set_business_hours(db: Session, workspace: Workspace, data: dict[str, Any] | None, *,
                          actor: Actor) -> dict[str, Any] | None:
    """Set (or clear: calendar hours) the hours that business-hours SLAs, the rules' business-hours
    condition and the reports' business-time figures count; the reports recompute their facts
    (right after the commit in a small workspace, else in the worker: `henshin.reports.rollup`)."""
    hours = check_business_hours(data) if data is not None else None
    if hours == workspace.business_hours:
        return hours
    workspace.business_hours = hours
    workspace.reports_rebuild_requested_at = utc_now()  # cleared by the recompute
    db.flush()
    publish(db, Event(EventName.WORKSPACE_HOURS_CHANGED, workspace_id=workspace.id, actor=actor,
                      payload={"business_hours": hours}))
    return hours


def do_set_escalation_config(db: Session, workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """Where each escalation level goes."""
    config = check_escalation_config(db, workspace.id, data)
    workspace.settings = {**(workspace.settings or {}), "escalation": config}
    db.flush()
    return config
