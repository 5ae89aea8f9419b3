"""Outbound rows on a channel: claiming them, turning them into connector actions, and
recording what the network answered (sent, deferred, retried, failed), plus the
moderation actions (hide / unhide / delete a comment) agents and rules queue.

The worker (``henshin.workers.outbound``) drives these; nothing here talks HTTP.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from henshin.channels import repository as repo
from henshin.channels.actions import do_mark_disconnected
from henshin.connectors.errors import AuthExpired, ConnectorError, PermanentError, RateLimited
from henshin.connectors.types import OutboundAction, OutboundKind, OutboundResult
from henshin.events.bus import Actor, ActorType, Event, publish
from henshin.events.names import EventName, HistoryType
from henshin.kit.errors import InvalidInput
from henshin.kit.time import utc_now
from henshin.models import Engagement, OutboundMessage, Ticket
from henshin.models.outbound import DeliveryState
from henshin.tickets import repository as tickets_repo
from henshin.tickets.history import record_change

LEASE = timedelta(minutes=2)
MAX_TRANSIENT_FAILURES = 5
BACKOFF_BASE = timedelta(seconds=5)
MODERATION_KINDS = {OutboundKind.HIDE, OutboundKind.UNHIDE, OutboundKind.DELETE}


def claim_due(db: Session, *, now: datetime, limit: int = 50) -> list[OutboundMessage]:
    """Take due rows (queued, or ``sending`` abandoned by a dead worker) → ``sending``."""
    return repo.claim_outbound(db, now=now, lease_until=now + LEASE, limit=limit)


def _target(engagements: list[Engagement], external_id: str | None) -> Engagement | None:
    if external_id:
        return next((e for e in engagements if e.external_id == external_id), None)
    inbound = [e for e in engagements if e.direction == "inbound"]
    return inbound[-1] if inbound else None


def action_for(db: Session, message: OutboundMessage) -> OutboundAction:
    """The connector action for a row: the answered engagement gives target, thread, recipient
    and the network's reply context (LINE reply token, Messenger window, IG media)."""
    engagements = list(tickets_repo.engagements_of(db, message.ticket_id)) if message.ticket_id else []
    target = _target(engagements, message.target_external_id)
    recipient = None
    if target is not None and target.contact_id:
        contact = tickets_repo.contacts_by_ids(db, [target.contact_id]).get(target.contact_id)
        recipient = contact.external_id if contact is not None else None
    context: dict[str, Any] = dict(target.reply_context or {}) if target is not None else {}
    latest = _target(engagements, None)
    if latest is not None and latest.reply_context.get("last_customer_message_at"):
        context["last_customer_message_at"] = latest.reply_context["last_customer_message_at"]
    return OutboundAction(
        kind=OutboundKind(message.kind), idempotency_key=message.idempotency_key,
        target_external_id=message.target_external_id or (target.external_id if target is not None else None),
        thread_id=target.thread_id if target is not None else None,
        recipient_external_id=recipient, text=message.text, reply_context=context,
    )


def do_note_reply_token_use(message: OutboundMessage, action: OutboundAction) -> None:
    """Remember, durably and before the call, that this row is about to spend a single-use
    reply token (LINE). If the worker dies after LINE accepted it, the retry sees the note
    and must not fall back to a push, which would send the message a second time."""
    if not action.reply_context.get("reply_token"):
        return
    if (message.extra or {}).get("reply_token_attempted"):
        action.reply_context["reply_token_attempted"] = True
    else:
        message.extra = {**(message.extra or {}), "reply_token_attempted": True}


def _announce(db: Session, message: OutboundMessage, ticket: Ticket | None, *, history: bool) -> None:
    data = {"outbound_id": message.id, "kind": message.kind, "state": message.state,
            "external_id": message.external_id, "error": message.error}
    if ticket is not None and history:
        record_change(db, ticket, HistoryType.OUTBOUND, Actor.system("outbound"), data)
    publish(db, Event(name=EventName.OUTBOUND_CHANGED, workspace_id=message.workspace_id,
                      actor=Actor.system("outbound"), ticket_id=message.ticket_id, payload=data))


def _ticket(db: Session, message: OutboundMessage) -> Ticket | None:
    return db.get(Ticket, message.ticket_id) if message.ticket_id else None


def do_mark_sent(db: Session, message: OutboundMessage, result: OutboundResult, *, now: datetime) -> None:
    """The network accepted it: keep its id and URL; history row + ``outbound.changed``."""
    message.state = DeliveryState.SENT.value
    message.external_id = result.external_id
    message.url = result.url
    message.sent_at = now
    message.error = None
    message.claimed_until = None
    via = result.raw.get("via") if isinstance(result.raw, dict) else None
    if via:
        message.extra = {**(message.extra or {}), "via": via}
    _announce(db, message, _ticket(db, message), history=True)


def do_record_delivery_error(db: Session, message: OutboundMessage, error: Exception, *, now: datetime) -> None:
    """Decide from the error's type: defer (rate limit), retry with backoff (transient),
    fail with the network's words (permanent), or wait for a reconnect (auth expired)."""
    message.claimed_until = None
    extra = dict(message.extra or {})
    if isinstance(error, RateLimited):
        message.state = DeliveryState.QUEUED.value
        message.next_attempt_at = now + timedelta(seconds=error.wait_seconds(now))
        message.error = f"rate limited by the network; retrying at {message.next_attempt_at.isoformat(timespec='seconds')}"
    elif isinstance(error, AuthExpired):
        message.state = DeliveryState.QUEUED.value
        message.next_attempt_at = now
        message.error = "waiting for the channel to be reconnected (access token expired)"
        channel = repo.channel_by_id(db, message.channel_id)
        if channel is not None:
            do_mark_disconnected(db, channel, reason=str(error))
    elif isinstance(error, PermanentError):
        message.state = DeliveryState.FAILED.value
        message.error = error.network_message
    else:
        failures = int(extra.get("transient_failures", 0)) + 1
        extra["transient_failures"] = failures
        text = error.network_message if isinstance(error, ConnectorError) else f"{error.__class__.__name__}: {error}"
        if failures >= MAX_TRANSIENT_FAILURES:
            message.state = DeliveryState.FAILED.value
            message.error = f"gave up after {failures} attempts: {text}"
        else:
            message.state = DeliveryState.QUEUED.value
            message.next_attempt_at = now + BACKOFF_BASE * (2 ** (failures - 1))
            message.error = f"temporary failure, retrying: {text}"
    message.extra = extra
    _announce(db, message, _ticket(db, message), history=message.state == DeliveryState.FAILED.value)


def check_moderation(db: Session, ticket: Ticket, kind: str, engagement_id: int | None) -> tuple[OutboundKind, str]:
    """Which comment to hide / unhide / delete: the given engagement, else the ticket's first."""
    try:
        action = OutboundKind(kind)
    except ValueError:
        action = None
    if action not in MODERATION_KINDS:
        raise InvalidInput(f"moderation is hide, unhide or delete, not {kind!r}")
    assert action is not None
    engagements = [e for e in tickets_repo.engagements_of(db, ticket.id) if e.direction == "inbound"]
    if engagement_id is not None:
        engagements = [e for e in engagements if e.id == engagement_id]
        if not engagements:
            raise InvalidInput(f"engagement {engagement_id} is not an inbound message of ticket {ticket.id}")
    if not engagements:
        raise InvalidInput(f"ticket {ticket.id} has no inbound comment to {action.value}")
    target = engagements[0]
    if target.kind == "dm":
        raise InvalidInput("direct messages cannot be hidden or deleted; only comments and replies")
    return action, target.external_id


def do_moderate(db: Session, ticket: Ticket, *, actor: Actor, kind: str, engagement_id: int | None = None,
                idempotency_key: str | None = None) -> OutboundMessage:
    """Queue hiding, unhiding or deleting a customer's comment on the network (an outbound
    row the worker delivers once); recorded in the ticket's history."""
    action, target = check_moderation(db, ticket, kind, engagement_id)
    key = idempotency_key or f"{action.value}-{uuid.uuid4()}"
    existing = tickets_repo.outbound_by_key(db, key)
    if existing is not None:
        return existing
    now = utc_now()
    message = OutboundMessage(
        workspace_id=ticket.workspace_id, ticket_id=ticket.id, channel_id=ticket.channel_id,
        kind=action.value, visibility="public", text="", target_external_id=target,
        author_user_id=actor.id if actor.type is ActorType.USER else None, actor_type=actor.type.value,
        actor_id=actor.id, idempotency_key=key, state=DeliveryState.QUEUED.value, next_attempt_at=now,
        created_at=now, extra={},
    )
    db.add(message)
    db.flush()
    record_change(db, ticket, HistoryType.OUTBOUND, actor,
                  {"outbound_id": message.id, "kind": action.value, "state": message.state, "target": target})
    return message
