"""Every select() over tickets, their tags, reads, notes and history."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session

from henshin.kit.errors import NotFound
from henshin.models import (
    Contact,
    Engagement,
    Note,
    OutboundMessage,
    Ticket,
    TicketEvent,
    TicketRead,
    TicketTag,
)
from henshin.tickets.schemas import TicketFilter, TicketSort


def get_ticket(db: Session, workspace_id: int, ticket_id: int, *, lock: bool = False) -> Ticket:
    """The workspace's ticket or ``NotFound`` (another workspace's id is simply not found)."""
    query = select(Ticket).where(Ticket.id == ticket_id, Ticket.workspace_id == workspace_id)
    if lock and db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    ticket = db.scalar(query)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


def tickets_by_ids(db: Session, workspace_id: int, ids: Sequence[int]) -> list[Ticket]:
    if not ids:
        return []
    return list(
        db.scalars(select(Ticket).where(Ticket.workspace_id == workspace_id, Ticket.id.in_(ids)))
    )


def tags_of(db: Session, ticket_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {tid: [] for tid in ticket_ids}
    if ticket_ids:
        rows = db.execute(
            select(TicketTag.ticket_id, TicketTag.name)
            .where(TicketTag.ticket_id.in_(ticket_ids))
            .order_by(TicketTag.name)
        )
        for tid, name in rows:
            out[tid].append(name)
    return out


def has_tag(db: Session, ticket_id: int, name: str) -> bool:
    return db.get(TicketTag, (ticket_id, name)) is not None


def read_markers(db: Session, user_id: int, ticket_ids: Sequence[int]) -> dict[int, object]:
    if not ticket_ids:
        return {}
    rows = db.execute(
        select(TicketRead.ticket_id, TicketRead.read_at).where(
            TicketRead.user_id == user_id, TicketRead.ticket_id.in_(ticket_ids)
        )
    )
    return {tid: read_at for tid, read_at in rows}


def readers_of(db: Session, ticket_id: int) -> Sequence[TicketRead]:
    return db.scalars(
        select(TicketRead).where(TicketRead.ticket_id == ticket_id).order_by(TicketRead.read_at)
    ).all()


def read_row(db: Session, ticket_id: int, user_id: int) -> TicketRead | None:
    return db.get(TicketRead, (ticket_id, user_id))


def engagements_of(db: Session, ticket_id: int) -> Sequence[Engagement]:
    return db.scalars(
        select(Engagement)
        .where(Engagement.ticket_id == ticket_id)
        .order_by(Engagement.created_at, Engagement.id)
    ).all()


def outbound_of(db: Session, ticket_id: int) -> Sequence[OutboundMessage]:
    return db.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.ticket_id == ticket_id)
        .order_by(OutboundMessage.created_at, OutboundMessage.id)
    ).all()


def notes_of(db: Session, ticket_id: int) -> Sequence[Note]:
    return db.scalars(
        select(Note).where(Note.ticket_id == ticket_id).order_by(Note.created_at, Note.id)
    ).all()


def history_of(db: Session, ticket_id: int) -> Sequence[TicketEvent]:
    return db.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    ).all()


def contacts_by_ids(db: Session, ids: Sequence[int]) -> dict[int, Contact]:
    if not ids:
        return {}
    return {c.id: c for c in db.scalars(select(Contact).where(Contact.id.in_(set(ids))))}


def due_snoozed(db: Session, now: object, limit: int = 200) -> list[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.status == "snoozed", Ticket.snooze_until <= now)
        .order_by(Ticket.snooze_until)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(db.scalars(query))


def filtered(workspace_id: int, f: TicketFilter) -> Select[tuple[Ticket]]:
    """The filtered (unsorted, unpaged) ticket query for the inbox and the API."""
    query = select(Ticket).where(Ticket.workspace_id == workspace_id)
    conditions = []
    if f.status:
        conditions.append(Ticket.status.in_([s.value for s in f.status]))
    if f.network:
        conditions.append(Ticket.network.in_(f.network))
    if f.channel_id:
        conditions.append(Ticket.channel_id.in_(f.channel_id))
    if f.kind:
        conditions.append(Ticket.kind.in_(f.kind))
    if f.priority:
        conditions.append(Ticket.priority.in_(f.priority))
    if f.language:
        conditions.append(Ticket.language.in_(f.language))
    if f.sentiment:
        conditions.append(Ticket.sentiment_label.in_(f.sentiment))
    if f.escalation_level:
        conditions.append(Ticket.escalation_level.in_(f.escalation_level))
    if f.unassigned:
        conditions.append(and_(Ticket.assignee_user_id.is_(None), Ticket.assignee_team_id.is_(None)))
    if f.assignee_id:
        conditions.append(Ticket.assignee_user_id.in_(f.assignee_id))
    if f.team_id:
        conditions.append(Ticket.assignee_team_id.in_(f.team_id))
    if f.contact_id:
        conditions.append(Ticket.contact_id == f.contact_id)
    if f.spam is not None:
        conditions.append(Ticket.is_spam.is_(f.spam))
    if f.created_from:
        conditions.append(Ticket.created_at >= f.created_from)
    if f.created_to:
        conditions.append(Ticket.created_at < f.created_to)
    if f.updated_from:
        conditions.append(Ticket.last_activity_at >= f.updated_from)
    if f.updated_to:
        conditions.append(Ticket.last_activity_at < f.updated_to)
    conditions.extend(exists().where(TicketTag.ticket_id == Ticket.id, TicketTag.name == tag) for tag in f.tag)
    if f.folded_query:
        for word in f.folded_query.split():
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append(Ticket.search_text.like(pattern, escape="\\"))
    if conditions:
        query = query.where(*conditions)
    return query


def sort_columns(sort: TicketSort) -> tuple[object, ...]:
    if sort is TicketSort.OLDEST_WAITING:  # see tickets.queries._oldest_waiting
        return (Ticket.waiting_since.asc(), Ticket.id.asc())
    if sort is TicketSort.OLDEST:
        return (Ticket.last_activity_at.asc(), Ticket.id.asc())
    return (Ticket.last_activity_at.desc(), Ticket.id.desc())


def count(db: Session, query: Select[tuple[Ticket]]) -> int:
    return int(db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)



def outbound_by_key(db: Session, key: str) -> OutboundMessage | None:
    return db.scalar(select(OutboundMessage).where(OutboundMessage.idempotency_key == key))
