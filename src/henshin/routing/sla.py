"""SLA clocks: due times from the ticket's policy, pauses while snoozed, warnings and breaches.

`refresh_due_times` recomputes ``Ticket.sla_*_due_at`` from the first matching policy
(by position; a policy's priority / level / channel left empty matches any). Targets run
in business hours (the workspace's `WeeklySchedule`) or calendar hours. While a ticket is
snoozed under a pausing policy its due times are cleared and the paused time is added back
when it wakes. `raise_due_alerts` records each warning (``warn_before_minutes`` ahead) and
each breach once, as ``HistoryType.SLA`` history (data: target, state, due_at), which feeds
the inbox timers, the ``sla_warning`` / ``sla_breached`` rule triggers and the reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from henshin.events.bus import Actor
from henshin.events.names import HistoryType
from henshin.kit.time import as_utc, utc_now
from henshin.models import SlaAlert, SlaPolicy, Ticket, TicketSlaClock, Workspace
from henshin.routing import repository as repo
from henshin.routing.hours import WeeklySchedule
from henshin.rules.subjects import business_schedule
from henshin.tickets.history import record_change

TARGETS = ("first_response", "next_response", "resolution")
MAX_WARN = timedelta(hours=24)


def policy_for(policies: Sequence[SlaPolicy], ticket: Ticket) -> SlaPolicy | None:
    """The first enabled policy matching the ticket's priority, level and channel."""
    for policy in policies:
        if not policy.enabled:
            continue
        if policy.priority is not None and policy.priority != ticket.priority:
            continue
        if policy.escalation_level is not None and policy.escalation_level != ticket.escalation_level:
            continue
        if policy.channel_id is not None and policy.channel_id != ticket.channel_id:
            continue
        return policy
    return None


def _clock_of(policy: SlaPolicy, workspace: Workspace | None) -> WeeklySchedule | None:
    return business_schedule(workspace) if policy.business_hours else None


def _add(schedule: WeeklySchedule | None, start: datetime, seconds: float) -> datetime:
    start = as_utc(start)
    if schedule is None:
        return start + timedelta(seconds=seconds)
    return schedule.add_business_time(start, seconds)


def _elapsed(schedule: WeeklySchedule | None, start: datetime, end: datetime) -> float:
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        return 0.0
    if schedule is None:
        return (end - start).total_seconds()
    return schedule.business_seconds_between(start, end)


def due_times(ticket: Ticket, policy: SlaPolicy | None, clock: TicketSlaClock,
              schedule: WeeklySchedule | None) -> tuple[datetime | None, datetime | None, datetime | None]:
    """(first response, next response, resolution) due times of ``ticket`` now."""
    if policy is None or clock.paused_at is not None or ticket.status == "closed":
        return None, None, None
    paused = clock.paused_seconds or 0.0

    def due(start: datetime | None, minutes: int | None) -> datetime | None:
        return None if start is None or not minutes else _add(schedule, start, minutes * 60 + paused)

    first = due(ticket.created_at, policy.first_response_minutes) if ticket.first_response_at is None else None
    after_reply = ticket.waiting_since if ticket.first_response_at is not None else None
    nxt = due(after_reply, policy.next_response_minutes)
    return first, nxt, due(ticket.created_at, policy.resolution_minutes)


def refresh_due_times(db: Session, ticket_ids: Sequence[int], *, now: datetime | None = None) -> int:
    """Recompute the SLA due times of these tickets (only in workspaces with policies)."""
    now = now or utc_now()
    tickets = repo.tickets_by_ids(db, ticket_ids)
    spaces = repo.workspaces_with_sla(db, list({t.workspace_id for t in tickets}))
    tickets = [t for t in tickets if t.workspace_id in spaces]
    if not tickets:
        return 0
    policies = {wid: list(repo.sla_policies(db, wid, enabled_only=True)) for wid in spaces}
    workspaces = {wid: repo.workspace(db, wid) for wid in spaces}
    clocks = repo.sla_clocks(db, [t.id for t in tickets])
    for ticket in tickets:
        policy = policy_for(policies[ticket.workspace_id], ticket)
        clock = clocks.get(ticket.id)
        if clock is None:
            clock = TicketSlaClock(ticket_id=ticket.id, workspace_id=ticket.workspace_id, paused_seconds=0.0)
            db.add(clock)
        clock.policy_id = policy.id if policy is not None else None
        schedule = _clock_of(policy, workspaces[ticket.workspace_id]) if policy is not None else None
        pausing = policy is not None and policy.pause_when_snoozed and ticket.status == "snoozed"
        if pausing and clock.paused_at is None:
            clock.paused_at = now
        elif not pausing and clock.paused_at is not None:
            clock.paused_seconds = (clock.paused_seconds or 0.0) + _elapsed(schedule, clock.paused_at, now)
            clock.paused_at = None
        first, nxt, resolution = due_times(ticket, policy, clock, schedule)
        ticket.sla_first_response_due_at = first
        ticket.sla_next_response_due_at = nxt
        ticket.sla_resolution_due_at = resolution
    db.flush()
    return len(tickets)


def _warn_before(policy: SlaPolicy | None) -> timedelta:
    minutes = policy.warn_before_minutes if policy is not None else 15
    return min(timedelta(minutes=max(minutes, 0)), MAX_WARN)


def raise_due_alerts(db: Session, *, now: datetime | None = None, limit: int = 500) -> list[tuple[int, str, str]]:
    """Record every warning and breach that came due; returns (ticket, target, state) raised."""
    now = now or utc_now()
    tickets = repo.tickets_due_before(db, now + MAX_WARN, limit)
    if not tickets:
        return []
    raised = repo.raised_alerts(db, [t.id for t in tickets])
    clocks = repo.sla_clocks(db, [t.id for t in tickets])
    policies: dict[int, list[SlaPolicy]] = {}
    out: list[tuple[int, str, str]] = []
    for ticket in tickets:
        if ticket.workspace_id not in policies:
            policies[ticket.workspace_id] = list(repo.sla_policies(db, ticket.workspace_id, enabled_only=True))
        clock = clocks.get(ticket.id)
        policy = next((p for p in policies[ticket.workspace_id] if clock and p.id == clock.policy_id), None)
        for target in TARGETS:
            due = getattr(ticket, f"sla_{target}_due_at")
            if due is None:
                continue
            due = as_utc(due)
            state = "breached" if due <= now else "warning" if due - _warn_before(policy) <= now else None
            if state is None or (ticket.id, target, state, due) in raised:
                continue
            db.add(SlaAlert(workspace_id=ticket.workspace_id, ticket_id=ticket.id, target=target,
                            state=state, due_at=due, created_at=now))
            record_change(db, ticket, HistoryType.SLA, Actor.system("sla"),
                          {"target": target, "state": state, "due_at": due.isoformat(),
                           "policy_id": policy.id if policy else None})
            raised.add((ticket.id, target, state, due))
            out.append((ticket.id, target, state))
    db.flush()
    return out
