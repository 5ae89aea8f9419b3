"""Tickets: list with filters and cursor pagination, detail, and every ticket action."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ValidationError

from henshin.kit.errors import InvalidInput
from henshin.models.ticket import Priority, TicketStatus
from henshin.tickets import actions
from henshin.tickets import repository as repo
from henshin.tickets.queries import list_tickets, ticket_detail
from henshin.tickets.schemas import (
    AssignIn,
    BulkIn,
    NoteIn,
    PriorityIn,
    ReplyIn,
    SnoozeIn,
    TagsIn,
    TicketDetail,
    TicketFilter,
    TicketPage,
    TicketSort,
)
from henshin.web.deps import Caller, CurrentCaller, DbSession

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.get("", response_model=TicketPage)
def get_tickets(
    caller: CurrentCaller,
    db: DbSession,
    status: Annotated[list[TicketStatus], Query()] = [],  # noqa: B006
    network: Annotated[list[str], Query()] = [],  # noqa: B006
    channel_id: Annotated[list[int], Query()] = [],  # noqa: B006
    kind: Annotated[list[str], Query()] = [],  # noqa: B006
    tag: Annotated[list[str], Query()] = [],  # noqa: B006
    assignee_id: Annotated[list[int], Query()] = [],  # noqa: B006
    team_id: Annotated[list[int], Query()] = [],  # noqa: B006
    unassigned: bool = False,
    priority: Annotated[list[Priority], Query()] = [],  # noqa: B006
    language: Annotated[list[str], Query()] = [],  # noqa: B006
    sentiment: Annotated[list[str], Query()] = [],  # noqa: B006
    escalation_level: Annotated[list[str], Query()] = [],  # noqa: B006
    contact_id: int | None = None,
    spam: bool | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    updated_from: datetime | None = None,
    updated_to: datetime | None = None,
    q: str | None = None,
    sort: TicketSort = TicketSort.ACTIVITY,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    with_total: bool = False,
) -> TicketPage:
    """The workspace's tickets, filtered; follow ``next_cursor`` for the next page."""
    try:
        f = TicketFilter(
            status=status, network=network, channel_id=channel_id, kind=kind, tag=tag,
            assignee_id=assignee_id, team_id=team_id, unassigned=unassigned, priority=priority,
            language=language, sentiment=sentiment, escalation_level=escalation_level,
            contact_id=contact_id, spam=spam, created_from=created_from, created_to=created_to,
            updated_from=updated_from, updated_to=updated_to, q=q,
        )
    except ValidationError as exc:
        raise InvalidInput(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from exc
    return list_tickets(
        db, caller.workspace_id, f, sort=sort, cursor=cursor, limit=limit,
        viewer_user_id=caller.user_id, with_total=with_total,
    )


@router.get("/{ticket_id}", response_model=TicketDetail)
def get_ticket(ticket_id: int, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    return ticket_detail(db, caller.workspace_id, ticket_id, viewer_user_id=caller.user_id)


def _done(db: DbSession, caller: Caller, ticket_id: int) -> TicketDetail:
    db.commit()
    return ticket_detail(db, caller.workspace_id, ticket_id, viewer_user_id=caller.user_id)



@router.post("/{ticket_id}/assign", response_model=TicketDetail)
def assign(ticket_id: int, body: AssignIn, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    ticket = repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    actions.do_assign(db, ticket, actor=caller.actor, user_id=body.user_id, team_id=body.team_id)
    return _done(db, caller, ticket_id)


@router.post("/{ticket_id}/unassign", response_model=TicketDetail)
def unassign(ticket_id: int, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    ticket = repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    actions.do_unassign(db, ticket, actor=caller.actor)
    return _done(db, caller, ticket_id)


@router.post("/{ticket_id}/tags", response_model=TicketDetail)
def tag(ticket_id: int, body: TagsIn, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    ticket = repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    actions.do_tag(db, ticket, actor=caller.actor, tags=body.tags)
    return _done(db, caller, ticket_id)


@router.post("/{ticket_id}/untag", response_model=TicketDetail)
def untag(ticket_id: int, body: TagsIn, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    ticket = repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    actions.do_untag(db, ticket, actor=caller.actor, tags=body.tags)
    return _done(db, caller, ticket_id)


@router.post("/{ticket_id}/priority", response_model=TicketDetail)
def set_priority(ticket_id: int, body: PriorityIn, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    ticket = repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    actions.do_set_priority(db, ticket, actor=caller.actor, priority=body.priority)
    return _done(db, caller, ticket_id)


@router.post("/{ticket_id}/notes", response_model=TicketDetail)
def add_note(ticket_id: int, body: NoteIn, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    ticket = repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    actions.do_add_note(db, ticket, actor=caller.actor, text=body.text)
    return _done(db, caller, ticket_id)


@router.post("/{ticket_id}/read", response_model=TicketDetail)
def mark_read(ticket_id: int, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    ticket = repo.get_ticket(db, caller.workspace_id, ticket_id)
    actions.do_mark_read(db, ticket, user_id=caller.user_id)
    return _done(db, caller, ticket_id)


@router.post("/{ticket_id}/snooze", response_model=TicketDetail)
def snooze(ticket_id: int, body: SnoozeIn, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    ticket = repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    actions.do_snooze(db, ticket, actor=caller.actor, until=body.until)
    return _done(db, caller, ticket_id)


@router.post("/{ticket_id}/close", response_model=TicketDetail)
def close(ticket_id: int, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    ticket = repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    actions.do_close(db, ticket, actor=caller.actor)
    return _done(db, caller, ticket_id)


@router.post("/{ticket_id}/reopen", response_model=TicketDetail)
def reopen(ticket_id: int, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    ticket = repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    actions.do_reopen(db, ticket, actor=caller.actor)
    return _done(db, caller, ticket_id)


@router.post("/{ticket_id}/reply", response_model=TicketDetail)
def reply(ticket_id: int, body: ReplyIn, caller: CurrentCaller, db: DbSession) -> TicketDetail:
    """Record an outbound reply; the worker delivers it and updates its delivery state."""
    ticket = repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    actions.do_reply(
        db, ticket, actor=caller.actor, text=body.text, visibility=body.visibility,
        idempotency_key=body.idempotency_key,
    )
    if body.close:
        actions.do_close(db, ticket, actor=caller.actor)
    return _done(db, caller, ticket_id)


class BulkOut(BaseModel):
    updated: list[int]


@router.post("/bulk", response_model=BulkOut)
def bulk(body: BulkIn, caller: CurrentCaller, db: DbSession) -> BulkOut:
    """Apply one action to many tickets; all or nothing."""
    tickets = repo.tickets_by_ids(db, caller.workspace_id, body.ticket_ids)
    missing = set(body.ticket_ids) - {t.id for t in tickets}
    if missing:
        raise InvalidInput(f"tickets not found in this workspace: {sorted(missing)}")
    actor = caller.actor
    for ticket in tickets:
        if body.action == "close":
            actions.do_close(db, ticket, actor=actor)
        elif body.action == "reopen":
            if ticket.status == TicketStatus.CLOSED.value:
                actions.do_reopen(db, ticket, actor=actor)
        elif body.action == "assign":
            actions.do_assign(db, ticket, actor=actor, user_id=body.user_id, team_id=body.team_id)
        elif body.action == "tag":
            actions.do_tag(db, ticket, actor=actor, tags=body.tags)
        elif body.action == "mark_read":
            actions.do_mark_read(db, ticket, user_id=caller.user_id)
        elif body.action == "snooze":
            if body.until is None:
                raise InvalidInput("snooze needs 'until'")
            actions.do_snooze(db, ticket, actor=actor, until=body.until)
    db.commit()
    return BulkOut(updated=[t.id for t in tickets])
