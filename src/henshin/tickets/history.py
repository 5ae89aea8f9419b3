"""Writing a ticket's history: every change is a ``TicketEvent`` plus a bus event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from henshin.events.bus import Actor, Event, publish
from henshin.events.names import EventName, HistoryType
from henshin.kit.time import utc_now
from henshin.models import Ticket, TicketEvent


def record_change(
    db: Session,
    ticket: Ticket,
    type_: HistoryType,
    actor: Actor,
    data: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
    event_name: str = EventName.TICKET_UPDATED,
) -> TicketEvent:
    """Append one history row and publish the change (dispatched after commit)."""
    at = at or utc_now()
    row = TicketEvent(
        workspace_id=ticket.workspace_id,
        ticket_id=ticket.id,
        type=type_.value,
        actor_type=actor.type.value,
        actor_id=actor.id,
        data=data or {},
        created_at=at,
    )
    db.add(row)
    ticket.updated_at = utc_now()
    ticket.version = (ticket.version or 0) + 1
    publish(
        db,
        Event(
            name=event_name,
            workspace_id=ticket.workspace_id,
            ticket_id=ticket.id,
            actor=actor,
            payload={"change": type_.value, **(data or {})},
        ),
    )
    return row
