"""Every select() over channels, their alerts, OAuth grants, webhook deliveries and the
outbound rows the delivery worker claims."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import Select, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from henshin.kit.errors import NotFound
from henshin.models import Channel, ChannelAlert, OAuthGrant, OutboundMessage, WebhookDelivery
from henshin.models.channel import ChannelStatus
from henshin.models.outbound import DeliveryState
from henshin.models.webhook import DeliveryStatus

M = TypeVar("M", Channel, OutboundMessage)
_ID_CHUNK = 500
_DELIVERIES = cast(Table, WebhookDelivery.__table__)


class ClaimedDelivery(NamedTuple):
    """What processing a stored webhook delivery reads."""

    id: int
    channel_id: int
    headers: dict[str, Any]
    body: bytes


def get_channel(db: Session, workspace_id: int, channel_id: int) -> Channel:
    channel = db.scalar(
        select(Channel).where(Channel.workspace_id == workspace_id, Channel.id == channel_id)
    )
    if channel is None:
        raise NotFound(f"channel {channel_id} not found in this workspace")
    return channel


def channels_of_workspace(db: Session, workspace_id: int) -> Sequence[Channel]:
    return db.scalars(
        select(Channel).where(Channel.workspace_id == workspace_id).order_by(Channel.id)
    ).all()


def all_active_channels(db: Session) -> Sequence[Channel]:
    return db.scalars(select(Channel).where(Channel.status == "active").order_by(Channel.id)).all()


def channel_by_id(db: Session, channel_id: int) -> Channel | None:
    return db.get(Channel, channel_id)


def channels_by_account(db: Session, networks: Sequence[str], account_ids: Sequence[str]) -> Sequence[Channel]:
    """Channels of ``networks`` connected to one of ``account_ids`` (shared app webhooks)."""
    if not account_ids:
        return []
    return db.scalars(
        select(Channel)
        .where(Channel.network.in_(networks), Channel.external_account_id.in_(account_ids))
        .order_by(Channel.id)
    ).all()


def channels_of_networks(db: Session, networks: Sequence[str]) -> Sequence[Channel]:
    return db.scalars(select(Channel).where(Channel.network.in_(networks)).order_by(Channel.id)).all()


# --- claiming due rows: one UPDATE … WHERE id IN (SELECT … [FOR UPDATE SKIP LOCKED]) ---
def _claim(db: Session, model: type[M], candidates: Select[Any], values: dict[str, Any], limit: int) -> list[M]:
    """Atomically take up to ``limit`` candidate rows; concurrent workers never get the same row.

    On PostgreSQL the subquery skips rows another worker holds; on SQLite the single
    write statement is serialized by the database lock.
    """
    sub = candidates.limit(limit)
    if db.get_bind().dialect.name == "postgresql":
        sub = sub.with_for_update(skip_locked=True)
    stmt = (
        update(model).where(model.id.in_(sub.scalar_subquery())).values(**values).returning(model)
    )
    rows = list(db.scalars(stmt, execution_options={"synchronize_session": False}))
    return sorted(rows, key=lambda r: r.id)


def claim_channels_to_poll(
    db: Session, *, now: datetime, lease_until: datetime, networks: Sequence[str], limit: int
) -> list[Channel]:
    """Active, pollable channels whose time has come and who are not rate limited."""
    candidates = select(Channel.id).where(
        Channel.status == ChannelStatus.ACTIVE.value,
        Channel.network.in_(networks),
        or_(Channel.next_poll_at.is_(None), Channel.next_poll_at <= now),
        or_(Channel.rate_limited_until.is_(None), Channel.rate_limited_until <= now),
    ).order_by(Channel.next_poll_at.is_not(None), Channel.next_poll_at, Channel.id)
    return _claim(db, Channel, candidates, {"next_poll_at": lease_until}, limit)


def claim_deliveries(db: Session, *, now: datetime, lease_until: datetime, limit: int) -> list[ClaimedDelivery]:
    """Received deliveries due for (re)processing; the lease hides them from other workers.

    Plain rows, not ORM objects: processing needs only these four columns, and loading
    hundreds of deliveries as objects (twice: claim, then reload) was a tenth of the
    worker's time per push.
    """
    table = _DELIVERIES
    candidates = select(table.c.id).where(
        table.c.status == DeliveryStatus.RECEIVED.value, table.c.next_attempt_at <= now,
    ).order_by(table.c.next_attempt_at, table.c.id).limit(limit)
    if db.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    stmt = (
        update(table).where(table.c.id.in_(candidates.scalar_subquery()))
        .values(next_attempt_at=lease_until, attempts=table.c.attempts + 1)
        .returning(table.c.id, table.c.channel_id, table.c.headers, table.c.body)
    )
    rows = [ClaimedDelivery(*row) for row in db.connection().execute(stmt)]
    return sorted(rows, key=lambda r: r.id)


def claim_outbound(db: Session, *, now: datetime, lease_until: datetime, limit: int) -> list[OutboundMessage]:
    """Queued rows that are due, and ``sending`` rows whose worker died (lease expired),
    on active channels only (a disconnected channel's work waits for the reconnect)."""
    active = select(Channel.id).where(Channel.status == ChannelStatus.ACTIVE.value)
    candidates = select(OutboundMessage.id).where(
        OutboundMessage.channel_id.in_(active.scalar_subquery()),
        or_(
            (OutboundMessage.state == DeliveryState.QUEUED.value) & (OutboundMessage.next_attempt_at <= now),
            (OutboundMessage.state == DeliveryState.SENDING.value) & (OutboundMessage.claimed_until <= now),
        ),
    ).order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
    values = {"state": DeliveryState.SENDING.value, "claimed_until": lease_until,
              "attempts": OutboundMessage.attempts + 1}
    return _claim(db, OutboundMessage, candidates, values, limit)


def insert_deliveries(db: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert raw webhook deliveries in one multi-row statement; their ids in ``rows`` order.

    A Core insert on the table: the ORM's bulk path cost more than the rows themselves.
    """
    if not rows:
        return []
    table = _DELIVERIES
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.connection().execute(stmt, list(rows)).scalars())


def mark_deliveries_processed(db: Session, item_counts: dict[int, int], now: datetime) -> None:
    """Deliveries id → items found: processed, in one UPDATE per distinct count."""
    table = _DELIVERIES
    by_count: dict[int, list[int]] = {}
    for delivery_id, count in item_counts.items():
        by_count.setdefault(count, []).append(delivery_id)
    for count, ids in by_count.items():
        for start in range(0, len(ids), _ID_CHUNK):
            db.connection().execute(update(table).where(table.c.id.in_(ids[start:start + _ID_CHUNK])).values(
                status=DeliveryStatus.PROCESSED.value, item_count=count, processed_at=now, error=None))


def mark_deliveries_failed(db: Session, errors: dict[int, str], now: datetime) -> None:
    """Deliveries id → parser error: failed for good (they stay stored for a look)."""
    if not errors:
        return
    table = _DELIVERIES
    stmt = update(table).where(table.c.id == bindparam("delivery_id")).values(
        status=DeliveryStatus.FAILED.value, error=bindparam("message"), processed_at=now)
    db.connection().execute(stmt, [{"delivery_id": i, "message": e} for i, e in errors.items()])


def deliveries_by_ids(db: Session, ids: Sequence[int]) -> Sequence[WebhookDelivery]:
    return db.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(ids))).all()


def deliveries_of_channel(
    db: Session, workspace_id: int, channel_id: int, *, status: str | None, limit: int
) -> Sequence[WebhookDelivery]:
    query = select(WebhookDelivery).where(
        WebhookDelivery.workspace_id == workspace_id, WebhookDelivery.channel_id == channel_id
    )
    if status:
        query = query.where(WebhookDelivery.status == status)
    return db.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)).all()


def delivery_counts(db: Session, channel_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """(channel id, status) → number of webhook deliveries."""
    if not channel_ids:
        return {}
    rows = db.execute(
        select(WebhookDelivery.channel_id, WebhookDelivery.status, func.count())
        .where(WebhookDelivery.channel_id.in_(channel_ids))
        .group_by(WebhookDelivery.channel_id, WebhookDelivery.status)
    )
    return {(cid, status): n for cid, status, n in rows}


def outbound_counts(db: Session, channel_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """(channel id, delivery state) → number of outbound rows not yet sent."""
    if not channel_ids:
        return {}
    rows = db.execute(
        select(OutboundMessage.channel_id, OutboundMessage.state, func.count())
        .where(OutboundMessage.channel_id.in_(channel_ids),
               OutboundMessage.state.in_(["queued", "sending", "failed"]))
        .group_by(OutboundMessage.channel_id, OutboundMessage.state)
    )
    return {(cid, state): n for cid, state, n in rows}


def outbound_by_id(db: Session, outbound_id: int) -> OutboundMessage | None:
    return db.get(OutboundMessage, outbound_id)


# --- alerts and OAuth grants --------------------------------------------------------
def open_alerts(db: Session, workspace_id: int) -> Sequence[ChannelAlert]:
    return db.scalars(
        select(ChannelAlert)
        .where(ChannelAlert.workspace_id == workspace_id, ChannelAlert.resolved_at.is_(None))
        .order_by(ChannelAlert.id.desc())
    ).all()


def open_alerts_of_channel(db: Session, channel_id: int) -> Sequence[ChannelAlert]:
    return db.scalars(
        select(ChannelAlert).where(ChannelAlert.channel_id == channel_id, ChannelAlert.resolved_at.is_(None))
    ).all()


def grant_by_digest(db: Session, digest: str) -> OAuthGrant | None:
    query = select(OAuthGrant).where(OAuthGrant.state_digest == digest)
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.scalar(query)
