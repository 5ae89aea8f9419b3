"""The selects and bulk inserts behind ingest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from henshin.models import Contact, Engagement, OutboundMessage, Ticket

CHUNK = 400


def engagements_by_external_ids(
    db: Session, channel_id: int, external_ids: Iterable[str]
) -> dict[str, tuple[int, int | None]]:
    """external_id → (engagement id, ticket id) for those already stored on the channel."""
    ids = list(set(external_ids))
    found: dict[str, tuple[int, int | None]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = db.execute(
            select(Engagement.external_id, Engagement.id, Engagement.ticket_id).where(
                Engagement.channel_id == channel_id,
                Engagement.external_id.in_(ids[start : start + CHUNK]),
            )
        )
        found.update({ext: (eid, tid) for ext, eid, tid in rows})
    return found


def tickets_by_thread_keys(db: Session, channel_id: int, keys: Iterable[str]) -> dict[str, Ticket]:
    keys = list(set(keys))
    found: dict[str, Ticket] = {}
    for start in range(0, len(keys), CHUNK):
        rows = db.scalars(
            select(Ticket).where(
                Ticket.channel_id == channel_id, Ticket.thread_key.in_(keys[start : start + CHUNK])
            )
        )
        found.update({t.thread_key: t for t in rows})
    return found


def tickets_of_parents(db: Session, channel_id: int, parent_ids: Iterable[str]) -> dict[str, Ticket]:
    """The ticket each parent (an engagement or our outbound reply) belongs to."""
    ids = list(set(parent_ids))
    if not ids:
        return {}
    ticket_of: dict[str, int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for ext, tid in db.execute(
            select(Engagement.external_id, Engagement.ticket_id).where(
                Engagement.channel_id == channel_id, Engagement.external_id.in_(chunk),
                Engagement.ticket_id.is_not(None),
            )
        ):
            ticket_of[ext] = tid
        for ext, tid in db.execute(
            select(OutboundMessage.external_id, OutboundMessage.ticket_id).where(
                OutboundMessage.channel_id == channel_id, OutboundMessage.external_id.in_(chunk),
                OutboundMessage.ticket_id.is_not(None),
            )
        ):
            ticket_of[ext] = tid
    tickets = {t.id: t for t in db.scalars(select(Ticket).where(Ticket.id.in_(set(ticket_of.values()))))}
    return {ext: tickets[tid] for ext, tid in ticket_of.items() if tid in tickets}


def insert_tickets(db: Session, rows: list[dict[str, object]]) -> list[int]:
    if not rows:
        return []
    result = db.execute(insert(Ticket).returning(Ticket.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]


def insert_engagements(db: Session, rows: list[dict[str, object]]) -> list[int]:
    if not rows:
        return []
    result = db.execute(
        insert(Engagement).returning(Engagement.id, sort_by_parameter_order=True), rows
    )
    return [row[0] for row in result]


def count_new_tickets_per_contact(db: Session, contact_ids: list[int]) -> None:
    for contact_id, n in Counter(contact_ids).items():
        db.execute(
            update(Contact)
            .where(Contact.id == contact_id)
            .values(ticket_count=Contact.ticket_count + n)
        )
