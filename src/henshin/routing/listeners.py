"""Routing and SLAs following committed changes: due times, and freed-up agents pulling work."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine

from henshin.db.session import Database
from henshin.events.bus import Event, subscribe_batch
from henshin.events.names import EventName
from henshin.routing import repository as repo
from henshin.routing.assignment import do_pull_next
from henshin.routing.sla import refresh_due_times

log = logging.getLogger(__name__)
SLA_EVENTS = {EventName.TICKET_CREATED, EventName.MESSAGE_RECEIVED, EventName.REPLY_CREATED}
SLA_CHANGES = {"priority", "escalated", "deescalated", "snoozed", "woke", "closed", "reopened", "replied"}


def _database(bind: Any) -> Database | None:
    if bind is None:
        return None
    return Database(bind if isinstance(bind, Engine) else bind.engine)


def on_commit(events: list[Event], bind: Any) -> None:
    """Recompute SLA due times of touched tickets; let agents who closed a ticket pull the next."""
    database = _database(bind)
    if database is None:
        return
    touched = [
        e for e in events if e.ticket_id is not None and (
            e.name in SLA_EVENTS
            or (e.name == EventName.TICKET_UPDATED and e.payload.get("change") in SLA_CHANGES))
    ]
    closed = [e for e in events if e.name == EventName.TICKET_UPDATED and e.payload.get("change") == "closed"]
    if touched:
        sla_ids: list[int] = []
        try:
            with database.unit_of_work() as db:
                with_sla = repo.workspaces_with_sla(db, sorted({e.workspace_id for e in touched}))
                sla_ids = sorted({e.ticket_id for e in touched if e.workspace_id in with_sla and e.ticket_id})
                if sla_ids:  # most workspaces without SLA policies pay one query per commit
                    refresh_due_times(db, sla_ids)
        except Exception:
            log.exception("SLA refresh failed for tickets %s", sla_ids[:10])
    for event in closed:
        try:
            with database.unit_of_work() as db:
                ticket = repo.ticket(db, event.workspace_id, event.ticket_id or 0)
                if ticket is not None and ticket.assignee_user_id is not None:
                    do_pull_next(db, event.workspace_id, ticket.assignee_user_id)
        except Exception:
            log.exception("pulling the next ticket failed after closing %s", event.ticket_id)


def subscribe_routing() -> None:
    """Follow committed changes (idempotent)."""
    subscribe_batch(on_commit)
