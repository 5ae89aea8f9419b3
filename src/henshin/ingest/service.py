"""Ingest: normalized engagements → deduplicated rows → contacts → threaded tickets.

One engagement is one ticket, except that the messages of one DM conversation (and a
customer's reply to our answer in a comment thread) append to that conversation's
ticket. Idempotent on (channel, external id): a batch delivered twice, or concurrently,
yields the same tickets. Bulk inserts keep a 500-item batch to a handful of statements.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from henshin.channels import repository as channels_repo
from henshin.connectors.types import Direction, EngagementKind, InboundEngagement
from henshin.contacts.actions import do_count_new_tickets, do_upsert_authors
from henshin.events.bus import Actor, ActorType, Event, publish
from henshin.events.names import EventName, HistoryType
from henshin.ingest import repository as repo
from henshin.ingest.analysis import Understood, understand_batch
from henshin.kit.errors import InvalidInput
from henshin.kit.time import as_utc, utc_now
from henshin.models import Channel, Ticket, TicketEvent
from henshin.tickets.actions import do_receive_message
from henshin.tickets.history import record_change
from henshin.understand.normalize import fold

Result = Literal["created", "appended", "reopened", "gratitude", "duplicate", "recorded"]
MAX_BATCH = 1000
SEARCH_TEXT_LIMIT = 4000
PRIORITY_BY_URGENCY = {"L3": "urgent", "high": "high"}


@dataclass(frozen=True)
class IngestOutcome:
    external_id: str
    result: Result
    ticket_id: int | None
    engagement_id: int | None


Analyzer = Callable[[list[InboundEngagement]], list[Understood]]


def thread_key(item: InboundEngagement) -> str:
    """The key that groups messages into one ticket on a channel."""
    if item.kind is EngagementKind.DM:
        return "dm:" + (item.thread_id or item.author.external_id)
    return "e:" + item.external_id


def subject_of(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:200]


def ingest_batch(
    db: Session,
    *,
    workspace_id: int,
    channel_id: int,
    items: list[InboundEngagement],
    analyzer: Analyzer | None = None,
) -> list[IngestOutcome]:
    """Store a batch; return per item whether it created, appended, reopened… or was a duplicate."""
    if len(items) > MAX_BATCH:
        raise InvalidInput(f"a batch holds at most {MAX_BATCH} engagements, got {len(items)}")
    channel = channels_repo.get_channel(db, workspace_id, channel_id)
    outcomes: dict[int, IngestOutcome] = {}
    existing = repo.engagements_by_external_ids(db, channel.id, [i.external_id for i in items])
    fresh: list[tuple[int, InboundEngagement]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.network is not None and item.network.value != channel.network and channel.network != "api":
            raise InvalidInput(
                f"engagements[{index}].network is {item.network.value!r} but channel "
                f"{channel.id} is a {channel.network!r} channel"
            )
        if item.external_id in existing or item.external_id in seen:
            found = existing.get(item.external_id)
            outcomes[index] = IngestOutcome(
                item.external_id, "duplicate", found[1] if found else None, found[0] if found else None
            )
            continue
        seen.add(item.external_id)
        fresh.append((index, item))
    if fresh:
        # Out-of-order deliveries are threaded in the order the customer wrote them.
        fresh.sort(key=lambda pair: as_utc(pair[1].created_at))
        fresh_items = [item for _, item in fresh]
        understood = (analyzer or _default_analyzer(channel))(fresh_items)
        _store(db, channel, fresh, understood, outcomes)
    return [outcomes[i] for i in range(len(items))]


def _default_analyzer(channel: Channel) -> Analyzer:
    patterns = list((channel.settings or {}).get("order_patterns", []))
    return lambda items: understand_batch(items, order_patterns=patterns)


def _store(
    db: Session,
    channel: Channel,
    fresh: list[tuple[int, InboundEngagement]],
    understood: list[Understood],
    outcomes: dict[int, IngestOutcome],
) -> None:
    workspace_id = channel.workspace_id
    network = channel.network if channel.network != "api" else None
    now = utc_now()
    contacts = do_upsert_authors(
        db, workspace_id, [(network or (i.network.value if i.network else "api"), i.author) for _, i in fresh]
    )

    def contact_of(item: InboundEngagement) -> int:
        key = (network or (item.network.value if item.network else "api"), item.author.external_id)
        return contacts[key]

    # Which existing tickets do these items continue? DMs by conversation; comment
    # replies by the engagement (or our outbound reply) they answer, same author only.
    keys = {thread_key(i) for _, i in fresh if i.kind is EngagementKind.DM}
    tickets_by_key = repo.tickets_by_thread_keys(db, channel.id, keys)
    parents = repo.tickets_of_parents(
        db, channel.id, [i.parent_external_id for _, i in fresh if i.parent_external_id]
    )
    plans: list[tuple[int, InboundEngagement, Understood, str, Ticket | None]] = []
    new_tickets: dict[str, dict[str, object]] = {}
    for (index, item), u in zip(fresh, understood, strict=True):
        key = thread_key(item)
        target = tickets_by_key.get(key)
        if target is None and item.parent_external_id and item.kind is not EngagementKind.DM:
            parent = parents.get(item.parent_external_id)
            if parent is not None and parent.contact_id == contact_of(item):
                target = parent
                key = parent.thread_key
        plans.append((index, item, u, key, target))
        if target is None and key not in new_tickets and item.direction is Direction.INBOUND:
            new_tickets[key] = _ticket_row(channel, item, u, contact_of(item), key, now)
        elif target is None and key in new_tickets and item.direction is Direction.INBOUND:
            row = new_tickets[key]
            created = as_utc(item.created_at)
            row["message_count"] = int(row["message_count"]) + 1  # type: ignore[call-overload]
            row["last_activity_at"] = max(row["last_activity_at"], created)  # type: ignore[type-var]
            row["last_inbound_at"] = max(row["last_inbound_at"], created)  # type: ignore[type-var]
            row["search_text"] = (str(row["search_text"]) + "\n" + fold(item.text))[:SEARCH_TEXT_LIMIT]
    ticket_ids = repo.insert_tickets(db, list(new_tickets.values()))
    new_ids = dict(zip(new_tickets.keys(), ticket_ids, strict=True))

    engagement_rows = []
    for _index, item, u, key, target in plans:
        ticket_id = target.id if target is not None else new_ids.get(key)
        engagement_rows.append(_engagement_row(channel, item, u, contact_of(item), ticket_id, now))
    engagement_ids = repo.insert_engagements(db, engagement_rows)

    history: list[dict[str, object]] = []
    created_keys: set[str] = set()
    for (index, item, u, key, target), engagement_id in zip(plans, engagement_ids, strict=True):
        created_at = as_utc(item.created_at)
        ticket_id = target.id if target is not None else new_ids.get(key)
        if item.direction is Direction.OUTBOUND:
            if target is not None:
                _record_echo(db, target, engagement_id, created_at)
            outcomes[index] = IngestOutcome(item.external_id, "recorded", ticket_id, engagement_id)
            continue
        if target is not None:
            result = do_receive_message(
                db, target, engagement_id=engagement_id, at=created_at,
                is_gratitude=u.is_gratitude, contact_id=contact_of(item),
            )
            target.search_text = (target.search_text + "\n" + fold(item.text))[:SEARCH_TEXT_LIMIT]
            outcomes[index] = IngestOutcome(item.external_id, result, target.id, engagement_id)  # type: ignore[arg-type]
        else:
            first = key not in created_keys
            created_keys.add(key)
            history.append(
                {
                    "workspace_id": workspace_id,
                    "ticket_id": ticket_id,
                    "type": (HistoryType.CREATED if first else HistoryType.MESSAGE).value,
                    "actor_type": ActorType.CUSTOMER.value,
                    "actor_id": contact_of(item),
                    "data": {"engagement_id": engagement_id, "kind": item.kind.value},
                    "created_at": created_at,
                }
            )
            outcomes[index] = IngestOutcome(
                item.external_id, "created" if first else "appended", ticket_id, engagement_id
            )
        publish(
            db,
            Event(
                name=EventName.ENGAGEMENT_RECEIVED,
                workspace_id=workspace_id,
                ticket_id=ticket_id,
                actor=Actor(ActorType.CONNECTOR, channel.id, channel.network),
                payload={"engagement_id": engagement_id, "result": outcomes[index].result},
            ),
        )
    if history:
        db.connection().execute(insert(TicketEvent.__table__), history)
    for key, ticket_id in new_ids.items():
        publish(
            db,
            Event(
                name=EventName.TICKET_CREATED,
                workspace_id=workspace_id,
                ticket_id=ticket_id,
                actor=Actor(ActorType.CONNECTOR, channel.id, channel.network),
                payload={"thread_key": key},
            ),
        )
    do_count_new_tickets(db, Counter(int(row["contact_id"]) for row in new_tickets.values()))  # type: ignore[call-overload]
    channel.last_item_at = max((as_utc(i.created_at) for _, i in fresh), default=channel.last_item_at)


def _ticket_row(
    channel: Channel, item: InboundEngagement, u: Understood, contact_id: int, key: str, now: datetime
) -> dict[str, object]:
    created = as_utc(item.created_at)
    return {
        "workspace_id": channel.workspace_id,
        "channel_id": channel.id,
        "contact_id": contact_id,
        "network": channel.network if channel.network != "api" else (item.network.value if item.network else "api"),
        "kind": item.kind.value,
        "thread_key": key,
        "subject": subject_of(item.text) or f"({item.kind.value})",
        "status": "open",
        "priority": PRIORITY_BY_URGENCY.get(u.urgency, "normal"),
        "language": u.language,
        "sentiment_label": u.sentiment_label,
        "sentiment_score": u.sentiment_score,
        "is_spam": u.is_spam,
        "search_text": fold(item.text)[:SEARCH_TEXT_LIMIT],
        "created_at": created,
        "updated_at": now,
        "last_activity_at": created,
        "last_inbound_at": created,
        "waiting_since": created,
        "reopen_count": 0,
        "message_count": 1,
        "version": 1,
    }


def _engagement_row(
    channel: Channel,
    item: InboundEngagement,
    u: Understood,
    contact_id: int,
    ticket_id: int | None,
    now: datetime,
) -> dict[str, object]:
    return {
        "workspace_id": channel.workspace_id,
        "channel_id": channel.id,
        "ticket_id": ticket_id,
        "contact_id": contact_id,
        "network": channel.network if channel.network != "api" else (item.network.value if item.network else "api"),
        "kind": item.kind.value,
        "direction": item.direction.value,
        "external_id": item.external_id,
        "thread_id": item.thread_id,
        "parent_external_id": item.parent_external_id,
        "post_external_id": item.post.external_id if item.post else None,
        "post": item.post.model_dump(mode="json") if item.post else None,
        "text": item.text,
        "media": [m.model_dump(mode="json") for m in item.media],
        "language": u.language,
        "rating": item.rating,
        "metrics": item.metrics.model_dump() if item.metrics else None,
        "url": item.url,
        "reply_context": item.reply_context,
        "raw": item.raw,
        "analysis": u.document,
        "sentiment_label": u.sentiment_label,
        "sentiment_score": u.sentiment_score,
        "is_spam": u.is_spam,
        "is_gratitude": u.is_gratitude,
        "created_at": as_utc(item.created_at),
        "received_at": now,
    }


def _record_echo(db: Session, ticket: Ticket, engagement_id: int, at: datetime) -> None:
    """Our own account answered outside henshin: it still counts as the team's reply."""
    ticket.last_outbound_at = max(ticket.last_outbound_at or at, at)
    ticket.last_activity_at = max(ticket.last_activity_at, at)
    ticket.waiting_since = None
    if ticket.first_response_at is None:
        ticket.first_response_at = at
    record_change(
        db, ticket, HistoryType.REPLIED, Actor.system("network"),
        {"engagement_id": engagement_id, "outside_henshin": True, "first_response": True}, at=at,
    )


def ingest_with_retry(
    db: Session,
    *,
    workspace_id: int,
    channel_id: int,
    items: list[InboundEngagement],
    attempts: int = 5,
) -> list[IngestOutcome]:
    """Ingest and commit; a concurrent delivery of the same items loses the race cleanly.

    A unique-key conflict means another transaction stored some of these items first:
    roll back and run again, and they come back as duplicates of the stored rows.
    """
    for attempt in range(attempts):
        try:
            outcomes = ingest_batch(db, workspace_id=workspace_id, channel_id=channel_id, items=items)
            db.commit()
            return outcomes
        except IntegrityError:
            db.rollback()
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
