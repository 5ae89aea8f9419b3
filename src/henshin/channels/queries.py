"""Reads over channels for the API and the workers: health, alerts, deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from henshin.channels import repository as repo
from henshin.channels.connection import public_config
from henshin.channels.schemas import AlertOut, ChannelHealth, ChannelOut, DeliveryOut
from henshin.kit.time import as_utc, utc_now
from henshin.models import Channel, OutboundMessage


def channel_for_worker(db: Session, channel_id: int) -> Channel | None:
    """Any workspace's channel by id (workers act for every workspace)."""
    return repo.channel_by_id(db, channel_id)


def channel_to_change(db: Session, workspace_id: int, channel_id: int) -> Channel:
    """The workspace's channel (``NotFound`` for another workspace's id)."""
    return repo.get_channel(db, workspace_id, channel_id)


def outbound_row(db: Session, outbound_id: int) -> OutboundMessage | None:
    return repo.outbound_by_id(db, outbound_id)


def _health(channel: Channel, deliveries: dict[tuple[int, str], int],
            outbound: dict[tuple[int, str], int], now: datetime) -> ChannelHealth:
    limited = channel.rate_limited_until is not None and as_utc(channel.rate_limited_until) > now
    if channel.status != "active":
        state = channel.status
    elif limited:
        state = "rate_limited"
    elif channel.consecutive_failures:
        state = "failing"
    elif channel.warnings:
        state = "degraded"
    else:
        state = "ok"
    newest = channel.last_item_at
    return ChannelHealth(
        state=state, warnings=list(channel.warnings or []), status=channel.status, last_sync_at=channel.last_sync_at, last_item_at=newest,
        lag_seconds=round((now - as_utc(newest)).total_seconds(), 1) if newest else None,
        last_error=channel.last_error, last_error_at=channel.last_error_at,
        consecutive_failures=channel.consecutive_failures or 0,
        rate_limited_until=channel.rate_limited_until if limited else None, rate_limit=channel.rate_limit,
        next_poll_at=channel.next_poll_at,
        webhooks_pending=deliveries.get((channel.id, "received"), 0),
        webhooks_failed=deliveries.get((channel.id, "failed"), 0),
        outbound_queued=outbound.get((channel.id, "queued"), 0) + outbound.get((channel.id, "sending"), 0),
        outbound_failed=outbound.get((channel.id, "failed"), 0),
    )


def channels_out(db: Session, channels: list[Channel]) -> list[ChannelOut]:
    """Channels with their health, in two grouped count queries."""
    ids = [c.id for c in channels]
    deliveries, outbound = repo.delivery_counts(db, ids), repo.outbound_counts(db, ids)
    now = utc_now()
    return [
        ChannelOut(
            id=c.id, network=c.network, name=c.name, handle=c.handle,
            external_account_id=c.external_account_id, status=c.status,
            has_credentials=bool(c.credentials_encrypted), last_sync_at=c.last_sync_at,
            last_item_at=c.last_item_at, last_error=c.last_error, last_error_at=c.last_error_at,
            rate_limited_until=c.rate_limited_until, settings=dict(c.settings or {}),
            config=public_config(c), health=_health(c, deliveries, outbound, now),
            webhook_path=f"/webhooks/{c.network}/{c.id}",
        )
        for c in channels
    ]


def workspace_channels(db: Session, workspace_id: int) -> list[ChannelOut]:
    return channels_out(db, list(repo.channels_of_workspace(db, workspace_id)))


def workspace_channel(db: Session, workspace_id: int, channel_id: int) -> ChannelOut:
    return channels_out(db, [repo.get_channel(db, workspace_id, channel_id)])[0]


def workspace_alerts(db: Session, workspace_id: int) -> list[AlertOut]:
    return [AlertOut(id=a.id, channel_id=a.channel_id, kind=a.kind, message=a.message, created_at=a.created_at)
            for a in repo.open_alerts(db, workspace_id)]


def channel_deliveries(db: Session, workspace_id: int, channel_id: int, *, status: str | None,
                       limit: int) -> list[DeliveryOut]:
    repo.get_channel(db, workspace_id, channel_id)
    return [DeliveryOut(id=d.id, status=d.status, attempts=d.attempts, item_count=d.item_count, error=d.error,
                        received_at=d.received_at, processed_at=d.processed_at,
                        body=d.body.decode("utf-8", "replace")[:20000])
            for d in repo.deliveries_of_channel(db, workspace_id, channel_id, status=status, limit=limit)]
