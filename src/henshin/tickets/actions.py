"""Every change to a ticket: ``check_*`` validates, ``do_*`` writes and records history.

Nothing here commits; the request or task boundary does, and the bus dispatches the
published events after that commit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from henshin.events.bus import Actor, ActorType, Event, publish
from henshin.events.names import EventName, HistoryType
from henshin.kit.errors import Conflict, InvalidInput
from henshin.kit.time import as_utc, utc_now
from henshin.models import Note, OutboundMessage, Ticket, TicketRead, TicketTag
from henshin.models.outbound import DeliveryState
from henshin.models.ticket import Priority, TicketStatus
from henshin.tickets import repository as repo
from henshin.tickets.history import record_change
from henshin.workspaces import repository as ws_repo

TAG = re.compile(r"^[^\s,#][^,#]{0,99}$")
MENTION = re.compile(r"@([\w.\-]+@[\w.\-]+|[\w\-.]+)")
PRIVATE_KINDS = {"dm"}


def check_tag_names(tags: Iterable[str]) -> list[str]:
    names: list[str] = []
    for raw in tags:
        name = raw.strip().lower()
        if not TAG.match(name):
            raise InvalidInput(f"tag {raw!r} is empty, too long or contains ',' or '#'")
        if name not in names:
            names.append(name)
    return names


def check_assignee(
    db: Session, workspace_id: int, user_id: int | None, team_id: int | None
) -> None:
    if user_id is None and team_id is None:
        raise InvalidInput("give a user_id or a team_id to assign to")
    if user_id is not None and not ws_repo.membership(db, workspace_id, user_id):
        raise InvalidInput(f"user {user_id} is not a member of this workspace")
    if team_id is not None and not ws_repo.team_in_workspace(db, workspace_id, team_id):
        raise InvalidInput(f"team {team_id} does not exist in this workspace")


def do_assign(
    db: Session,
    ticket: Ticket,
    *,
    actor: Actor,
    user_id: int | None,
    team_id: int | None,
    reason: str | None = None,
) -> None:
    check_assignee(db, ticket.workspace_id, user_id, team_id)
    if ticket.assignee_user_id == user_id and (team_id is None or ticket.assignee_team_id == team_id):
        return
    previous = {"user_id": ticket.assignee_user_id, "team_id": ticket.assignee_team_id}
    ticket.assignee_user_id = user_id
    if team_id is not None:
        ticket.assignee_team_id = team_id
    data = {"user_id": user_id, "team_id": ticket.assignee_team_id, "previous": previous}
    if reason:
        data["reason"] = reason
    record_change(db, ticket, HistoryType.ASSIGNED, actor, data)


def do_unassign(db: Session, ticket: Ticket, *, actor: Actor) -> None:
    if ticket.assignee_user_id is None and ticket.assignee_team_id is None:
        return
    previous = {"user_id": ticket.assignee_user_id, "team_id": ticket.assignee_team_id}
    ticket.assignee_user_id = None
    ticket.assignee_team_id = None
    record_change(db, ticket, HistoryType.UNASSIGNED, actor, {"previous": previous})


def do_tag(db: Session, ticket: Ticket, *, actor: Actor, tags: Iterable[str],
           present: set[str] | None = None) -> list[str]:
    """Add the tags the ticket lacks; one history line names them.

    ``present`` is the ticket's tags as a caller that keeps them already knows them (the
    rule runner, tagging many tickets in one transaction): no lookup and no flush per
    tag, the rows go out with the caller's next flush, and the set is kept up to date. If
    it was stale, that flush fails on the primary key and the caller's savepoint undoes it.
    """
    if present is None:
        added = [n for n in check_tag_names(tags) if not repo.has_tag(db, ticket.id, n)]
    else:
        added = [n for n in check_tag_names(tags) if n not in present]
        present.update(added)
    for name in added:
        db.add(TicketTag(ticket_id=ticket.id, name=name, workspace_id=ticket.workspace_id))
    if added:
        if present is None:
            db.flush()
        record_change(db, ticket, HistoryType.TAGGED, actor, {"tags": added})
    return added


def do_untag(db: Session, ticket: Ticket, *, actor: Actor, tags: Iterable[str],
             present: set[str] | None = None) -> list[str]:
    """Remove the tags the ticket has; ``present`` as for `do_tag` (kept up to date)."""
    names = check_tag_names(tags)
    if present is not None:
        names = [n for n in names if n in present]
        if names:
            db.flush()  # a tag added with ``present`` may not be written yet
    removed = []
    for name in names:
        row = db.get(TicketTag, (ticket.id, name))
        if row is not None:
            db.delete(row)
            removed.append(name)
    if present is not None:
        present.difference_update(removed)
    if removed:
        db.flush()
        record_change(db, ticket, HistoryType.UNTAGGED, actor, {"tags": removed})
    return removed


def do_set_priority(db: Session, ticket: Ticket, *, actor: Actor, priority: Priority) -> None:
    if ticket.priority == priority.value:
        return
    previous = ticket.priority
    ticket.priority = priority.value
    record_change(db, ticket, HistoryType.PRIORITY, actor, {"priority": priority.value, "previous": previous})


def do_add_note(db: Session, ticket: Ticket, *, actor: Actor, text: str) -> Note:
    text = text.strip()
    if not text:
        raise InvalidInput("a note cannot be empty")
    mentioned = _mentioned_user_ids(db, ticket.workspace_id, text)
    note = Note(
        workspace_id=ticket.workspace_id,
        ticket_id=ticket.id,
        author_user_id=actor.id if actor.type is ActorType.USER else None,
        text=text,
        mentions=mentioned,
    )
    db.add(note)
    db.flush()
    record_change(db, ticket, HistoryType.NOTE, actor, {"note_id": note.id, "mentions": mentioned})
    return note


def _mentioned_user_ids(db: Session, workspace_id: int, text: str) -> list[int]:
    """@mentions of teammates by email, email local part or name without spaces."""
    wanted = {m.lower() for m in MENTION.findall(text)}
    if not wanted:
        return []
    found = []
    for _member, user in ws_repo.members_of_workspace(db, workspace_id):
        keys = {user.email.lower(), user.email.split("@")[0].lower(), user.name.replace(" ", "").lower()}
        if keys & wanted:
            found.append(user.id)
    return found


def do_mark_read(db: Session, ticket: Ticket, *, user_id: int) -> None:
    """Reading is shown to the team but is not history worth a row per view."""
    row = repo.read_row(db, ticket.id, user_id)
    now = utc_now()
    if row is None:
        db.add(TicketRead(ticket_id=ticket.id, user_id=user_id, read_at=now))
    else:
        row.read_at = now
    publish(
        db,
        Event(
            name=EventName.TICKET_UPDATED,
            workspace_id=ticket.workspace_id,
            ticket_id=ticket.id,
            actor=Actor.user(user_id),
            payload={"change": "read"},
        ),
    )


def check_snooze(until: datetime, now: datetime | None = None) -> datetime:
    until = as_utc(until)
    if until <= (now or utc_now()):
        raise InvalidInput("a snooze must end in the future")
    return until


def do_snooze(db: Session, ticket: Ticket, *, actor: Actor, until: datetime) -> None:
    until = check_snooze(until)
    ticket.status = TicketStatus.SNOOZED.value
    ticket.snooze_until = until
    record_change(db, ticket, HistoryType.SNOOZED, actor, {"until": until.isoformat()})


def do_wake(db: Session, ticket: Ticket, *, actor: Actor, reason: str) -> None:
    """Bring a snoozed ticket back to the open inbox (its time came, or the customer wrote)."""
    if ticket.status != TicketStatus.SNOOZED.value:
        return
    ticket.status = TicketStatus.OPEN.value
    ticket.snooze_until = None
    if reason == "time":  # back at the top of the inbox when its time comes
        ticket.last_activity_at = max(ticket.last_activity_at, utc_now())
    record_change(db, ticket, HistoryType.WOKE, actor, {"reason": reason})


def do_close(db: Session, ticket: Ticket, *, actor: Actor, at: datetime | None = None) -> None:
    """Close; a reply is not needed ("read it" is a valid close).

    ``at`` replays a close that happened earlier (imports); it defaults to now.
    """
    if ticket.status == TicketStatus.CLOSED.value:
        return
    now = as_utc(at) if at is not None else utc_now()
    replied = ticket.first_response_at is not None
    ticket.status = TicketStatus.CLOSED.value
    ticket.snooze_until = None
    ticket.closed_at = now
    ticket.closed_by = actor.id if actor.type is ActorType.USER else None
    ticket.waiting_since = None
    record_change(db, ticket, HistoryType.CLOSED, actor, {"without_reply": not replied}, at=now)


def do_reopen(db: Session, ticket: Ticket, *, actor: Actor, reason: str = "manual") -> None:
    if ticket.status != TicketStatus.CLOSED.value:
        raise Conflict(f"ticket {ticket.id} is {ticket.status}, not closed")
    ticket.status = TicketStatus.OPEN.value
    ticket.closed_at = None
    ticket.reopen_count += 1
    record_change(db, ticket, HistoryType.REOPENED, actor, {"reason": reason})


def do_receive_message(
    db: Session,
    ticket: Ticket,
    *,
    engagement_id: int,
    at: datetime,
    is_gratitude: bool,
    contact_id: int | None,
) -> str:
    """Apply the lifecycle to a customer message appended to an existing ticket.

    Returns what happened: ``appended``, ``reopened`` or ``gratitude`` (a thank-you after
    the team's last reply on a closed ticket: recorded, neither reopens nor counts).
    """
    customer = Actor.customer(contact_id)
    team_answered_last = ticket.last_outbound_at is not None and (
        ticket.last_inbound_at is None or ticket.last_outbound_at >= ticket.last_inbound_at
    )
    ticket.message_count += 1
    ticket.last_activity_at = max(ticket.last_activity_at, at)
    if ticket.status == TicketStatus.CLOSED.value and is_gratitude and team_answered_last:
        ticket.last_inbound_at = max(ticket.last_inbound_at or at, at)
        record_change(
            db, ticket, HistoryType.GRATITUDE, customer, {"engagement_id": engagement_id}, at=at,
            event_name=EventName.MESSAGE_RECEIVED,
        )
        return "gratitude"
    outcome = "appended"
    if ticket.status == TicketStatus.SNOOZED.value:
        do_wake(db, ticket, actor=customer, reason="customer_message")
    elif ticket.status == TicketStatus.CLOSED.value:
        do_reopen(db, ticket, actor=customer, reason="customer_message")
        outcome = "reopened"
    if ticket.last_inbound_at is None or at >= ticket.last_inbound_at:
        ticket.last_inbound_at = at
    if ticket.waiting_since is None and not (is_gratitude and team_answered_last):
        ticket.waiting_since = at
    record_change(
        db, ticket, HistoryType.MESSAGE, customer, {"engagement_id": engagement_id}, at=at,
        event_name=EventName.MESSAGE_RECEIVED,
    )
    return outcome


def do_reply(
    db: Session,
    ticket: Ticket,
    *,
    actor: Actor,
    text: str,
    visibility: str = "public",
    idempotency_key: str | None = None,
    target_external_id: str | None = None,
    send_after: datetime | None = None,
    extra: dict[str, object] | None = None,
    at: datetime | None = None,
) -> OutboundMessage:
    """Record an outbound reply (queued for delivery) and its effect on the ticket.

    ``at`` replays a reply sent earlier (imports: the reply history and the ticket's
    timings take that time); it defaults to now.
    """
    text = text.strip()
    if not text:
        raise InvalidInput("a reply cannot be empty")
    if visibility not in {"public", "private"}:
        raise InvalidInput("visibility is 'public' or 'private'")
    key = idempotency_key or f"reply-{uuid.uuid4()}"
    existing = repo.outbound_by_key(db, key)
    if existing is not None:
        if existing.ticket_id != ticket.id:
            raise Conflict("this idempotency key was used for another ticket")
        return existing
    if ticket.kind in PRIVATE_KINDS:
        kind, visibility = "dm", "private"
    else:
        kind = "private_reply" if visibility == "private" else "reply"
    now = as_utc(at) if at is not None else utc_now()
    message = OutboundMessage(
        workspace_id=ticket.workspace_id,
        ticket_id=ticket.id,
        channel_id=ticket.channel_id,
        kind=kind,
        visibility=visibility,
        text=text,
        target_external_id=target_external_id,
        author_user_id=actor.id if actor.type is ActorType.USER else None,
        actor_type=actor.type.value,
        actor_id=actor.id,
        idempotency_key=key,
        state=DeliveryState.QUEUED.value,
        next_attempt_at=send_after or now,
        created_at=now,
        extra=dict(extra or {}),
    )
    db.add(message)
    db.flush()
    first = ticket.first_response_at is None and actor.type is ActorType.USER
    if first:
        ticket.first_response_at = now
        ticket.first_response_by = actor.id
    ticket.waiting_since = None
    ticket.last_outbound_at = now
    ticket.last_activity_at = max(ticket.last_activity_at, now)
    record_change(
        db,
        ticket,
        HistoryType.REPLIED,
        actor,
        {
            "outbound_id": message.id,
            "visibility": visibility,
            "first_response": first,
            "automatic": actor.type is not ActorType.USER,
        },
        at=now,
        event_name=EventName.REPLY_CREATED,
    )
    return message
