"""Reads for the inbox and the API: filtered, keyset-paginated lists and the ticket detail."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from henshin.kit.errors import InvalidInput
from henshin.kit.time import as_utc
from henshin.models import Contact, Ticket
from henshin.tickets import repository as repo
from henshin.tickets.schemas import (
    ContactSummary,
    EventOut,
    MessageOut,
    NoteOut,
    ReaderOut,
    TicketDetail,
    TicketFilter,
    TicketOut,
    TicketPage,
    TicketSort,
)
from henshin.understand.normalize import fold

MAX_PAGE = 200


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != 2:
            raise ValueError
        stamp = as_utc(datetime.fromisoformat(values[0])) if values[0] else None
        return [stamp, int(values[1])]
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise InvalidInput("the cursor is not one this API returned") from exc


def _after_cursor(sort: TicketSort, stamp: datetime | None, last_id: int) -> Any:
    if sort is TicketSort.ACTIVITY:
        assert stamp is not None
        return or_(
            Ticket.last_activity_at < stamp,
            and_(Ticket.last_activity_at == stamp, Ticket.id < last_id),
        )
    if sort is TicketSort.OLDEST:
        assert stamp is not None
        return or_(
            Ticket.last_activity_at > stamp,
            and_(Ticket.last_activity_at == stamp, Ticket.id > last_id),
        )
    raise AssertionError(f"{sort} pages through _oldest_waiting")


def _oldest_waiting(db: Session, base: Any, position: list[Any] | None, want: int) -> list[Ticket]:
    """Waiting tickets by how long they have waited, then the rest — in two index-ordered reads.

    One ``ORDER BY waiting_since IS NULL, waiting_since`` cannot walk the index, which
    costs a sort over every open ticket on a large inbox.
    """
    tickets: list[Ticket] = []
    stamp, last_id = position if position else (None, None)
    if position is None or stamp is not None:
        waiting = base.where(Ticket.waiting_since.is_not(None))
        if stamp is not None:
            waiting = waiting.where(or_(Ticket.waiting_since > stamp,
                                        and_(Ticket.waiting_since == stamp, Ticket.id > last_id)))
        tickets = list(db.scalars(waiting.order_by(Ticket.waiting_since, Ticket.id).limit(want)))
    if len(tickets) < want:
        rest = base.where(Ticket.waiting_since.is_(None))
        if stamp is None and last_id is not None:
            rest = rest.where(Ticket.id > last_id)
        tickets += list(db.scalars(rest.order_by(Ticket.id).limit(want - len(tickets))))
    return tickets


def _cursor_of(sort: TicketSort, ticket: Ticket) -> str:
    stamp = ticket.waiting_since if sort is TicketSort.OLDEST_WAITING else ticket.last_activity_at
    return encode_cursor([stamp, ticket.id])


def contact_summary(contact: Contact | None) -> ContactSummary | None:
    if contact is None:
        return None
    return ContactSummary(
        id=contact.id,
        network=contact.network,
        external_id=contact.external_id,
        handle=contact.handle,
        display_name=contact.display_name,
        avatar_url=contact.avatar_url,
        followers=contact.followers,
        verified=contact.verified,
        labels=list(contact.labels or []),
        ticket_count=contact.ticket_count,
    )


def ticket_rows(
    db: Session, tickets: list[Ticket], *, viewer_user_id: int | None = None
) -> list[TicketOut]:
    """List rows for tickets: tags, contact and the viewer's unread marker, in 3 queries."""
    ids = [t.id for t in tickets]
    tags = repo.tags_of(db, ids)
    contacts = repo.contacts_by_ids(db, [t.contact_id for t in tickets if t.contact_id])
    reads = repo.read_markers(db, viewer_user_id, ids) if viewer_user_id else {}
    rows = []
    for t in tickets:
        read_at = reads.get(t.id)
        unread = None
        if viewer_user_id is not None:
            unread = read_at is None or as_utc(read_at) < t.last_activity_at  # type: ignore[arg-type]
        rows.append(
            TicketOut(
                id=t.id,
                channel_id=t.channel_id,
                network=t.network,
                kind=t.kind,
                subject=t.subject,
                status=t.status,  # type: ignore[arg-type]
                priority=t.priority,  # type: ignore[arg-type]
                assignee_user_id=t.assignee_user_id,
                assignee_team_id=t.assignee_team_id,
                escalation_level=t.escalation_level,
                language=t.language,
                sentiment_label=t.sentiment_label,
                sentiment_score=t.sentiment_score,
                is_spam=t.is_spam,
                tags=tags.get(t.id, []),
                contact=contact_summary(contacts.get(t.contact_id)) if t.contact_id else None,
                created_at=t.created_at,
                last_activity_at=t.last_activity_at,
                waiting_since=t.waiting_since,
                first_response_at=t.first_response_at,
                closed_at=t.closed_at,
                snooze_until=t.snooze_until,
                reopen_count=t.reopen_count,
                message_count=t.message_count,
                unread=unread,
                sla_first_response_due_at=t.sla_first_response_due_at,
                sla_next_response_due_at=t.sla_next_response_due_at,
                sla_resolution_due_at=t.sla_resolution_due_at,
            )
        )
    return rows


def list_tickets(
    db: Session,
    workspace_id: int,
    f: TicketFilter,
    *,
    sort: TicketSort = TicketSort.ACTIVITY,
    cursor: str | None = None,
    limit: int = 50,
    viewer_user_id: int | None = None,
    with_total: bool = False,
) -> TicketPage:
    """One page of the workspace's tickets matching ``f``, newest activity (or oldest waiting) first."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    if f.q and f.q.strip():
        f = f.model_copy(update={"folded_query": fold(f.q.strip())})
    base = repo.filtered(workspace_id, f)
    position = decode_cursor(cursor) if cursor else None
    if sort is TicketSort.OLDEST_WAITING:
        tickets = _oldest_waiting(db, base, position, limit + 1)
    else:
        query = base
        if position:
            query = query.where(_after_cursor(sort, *position))
        query = query.order_by(*repo.sort_columns(sort)).limit(limit + 1)  # type: ignore[arg-type]
        tickets = list(db.scalars(query))
    more = len(tickets) > limit
    tickets = tickets[:limit]
    return TicketPage(
        items=ticket_rows(db, tickets, viewer_user_id=viewer_user_id),
        next_cursor=_cursor_of(sort, tickets[-1]) if more and tickets else None,
        total=repo.count(db, base) if with_total else None,
    )


def count_tickets(db: Session, workspace_id: int, f: TicketFilter) -> int:
    if f.q and f.q.strip():
        f = f.model_copy(update={"folded_query": fold(f.q.strip())})
    return repo.count(db, repo.filtered(workspace_id, f))


def ticket_detail(
    db: Session, workspace_id: int, ticket_id: int, *, viewer_user_id: int | None = None
) -> TicketDetail:
    """The ticket with its conversation (inbound and outbound), notes, history and readers."""
    ticket = repo.get_ticket(db, workspace_id, ticket_id)
    row = ticket_rows(db, [ticket], viewer_user_id=viewer_user_id)[0]
    engagements = repo.engagements_of(db, ticket.id)
    contacts = repo.contacts_by_ids(db, [e.contact_id for e in engagements if e.contact_id])
    messages = [
        MessageOut(
            id=e.id,
            type="inbound" if e.direction == "inbound" else "outbound",
            kind=e.kind,
            text=e.text,
            created_at=e.created_at,
            external_id=e.external_id,
            url=e.url,
            author=contact_summary(contacts.get(e.contact_id)) if e.contact_id else None,
            language=e.language,
            sentiment_label=e.sentiment_label,
            sentiment_score=e.sentiment_score,
            rating=e.rating,
            media=list(e.media or []),
            post=e.post,
            analysis=e.analysis,
            is_gratitude=e.is_gratitude,
        )
        for e in engagements
    ]
    messages += [
        MessageOut(
            id=o.id,
            type="outbound",
            kind=o.kind,
            text=o.text,
            created_at=o.created_at,
            external_id=o.external_id,
            url=o.url,
            author_user_id=o.author_user_id,
            delivery_state=o.state,
            delivery_error=o.error,
            visibility=o.visibility,
        )
        for o in repo.outbound_of(db, ticket.id)
        if o.kind in {"reply", "private_reply", "dm"}
    ]
    messages.sort(key=lambda m: (m.created_at, m.type == "outbound", m.id))
    return TicketDetail(
        **row.model_dump(),
        messages=messages,
        notes=[
            NoteOut(
                id=n.id,
                author_user_id=n.author_user_id,
                text=n.text,
                mentions=list(n.mentions or []),
                created_at=n.created_at,
            )
            for n in repo.notes_of(db, ticket.id)
        ],
        events=[
            EventOut(
                id=e.id,
                type=e.type,
                actor_type=e.actor_type,
                actor_id=e.actor_id,
                data=e.data or {},
                created_at=e.created_at,
            )
            for e in repo.history_of(db, ticket.id)
        ],
        readers=[ReaderOut(user_id=r.user_id, read_at=r.read_at) for r in repo.readers_of(db, ticket.id)],
    )
