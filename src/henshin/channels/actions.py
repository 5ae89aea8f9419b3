"""Writes to channels: connect (credentials validated and encrypted at rest), reconnect,
pause/resume, and the health transitions the workers report (synced, rate limited,
failing, disconnected → admins alerted)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from sqlalchemy.orm import Session

from henshin.channels import repository as repo
from henshin.channels.connection import (
    NO_HTTP,
    connector_class,
    reveal,
    stored_credentials,
    validate_config,
)
from henshin.connectors.types import Network
from henshin.events.bus import Actor, Event, publish
from henshin.events.names import EventName
from henshin.kit.errors import InvalidInput
from henshin.kit.secrets import secret_box
from henshin.kit.time import utc_now
from henshin.models import Channel, ChannelAlert
from henshin.models.channel import ChannelStatus

DEFAULT_POLL_SECONDS = 60
MIN_POLL_SECONDS = 1
MAX_BACKOFF = timedelta(hours=1)


def check_network(network: str) -> str:
    try:
        return Network(network).value
    except ValueError as exc:
        known = ", ".join(n.value for n in Network)
        raise InvalidInput(f"unknown network {network!r}; known: {known}") from exc


def check_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Channel settings an admin may set: ``base_url`` (http/https), ``poll_interval_seconds``."""
    out = dict(settings)
    base_url = out.get("base_url")
    if base_url is not None:
        parsed = urlparse(str(base_url))
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise InvalidInput(f"settings.base_url must be an http(s) URL, got {base_url!r}")
    interval = out.get("poll_interval_seconds")
    if interval is not None:
        if not isinstance(interval, int | float) or interval < MIN_POLL_SECONDS or interval > 86400:
            raise InvalidInput("settings.poll_interval_seconds must be a number from 1 to 86400")
    return out


def do_create_channel(
    db: Session,
    *,
    workspace_id: int,
    network: str,
    name: str,
    external_account_id: str | None = None,
    handle: str | None = None,
    credentials: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
) -> Channel:
    """Store a channel as given (no connector check: the API ``network`` and fixtures use it)."""
    channel = Channel(
        workspace_id=workspace_id,
        network=check_network(network),
        name=name.strip() or network,
        external_account_id=external_account_id,
        handle=handle,
        credentials_encrypted=secret_box().encrypt_json(credentials) if credentials else None,
        settings=settings or {},
    )
    db.add(channel)
    db.flush()
    return channel


def check_connect(network: str, credentials: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """Validate credentials against the connector's ``config_model``; the JSON to encrypt."""
    connector_class(network)
    check_settings(settings)
    return reveal(validate_config(network, credentials))


def _account(network: str, credentials: dict[str, Any], settings: dict[str, Any]) -> tuple[str | None, str | None]:
    config = validate_config(network, credentials)
    connector = connector_class(network)(config, base_url=settings.get("base_url") or None, http=NO_HTTP)
    handle = getattr(config, "username", None) or getattr(config, "page_name", None) or getattr(config, "name", None)
    return connector.account_id(), handle


def do_connect_channel(
    db: Session,
    *,
    workspace_id: int,
    network: str,
    name: str,
    credentials: dict[str, Any],
    settings: dict[str, Any] | None = None,
    actor: Actor,
) -> Channel:
    """Connect a network account: validated credentials stored encrypted, status active."""
    settings = check_settings(settings or {})
    plain = check_connect(network, credentials, settings)
    account_id, handle = _account(network, plain, settings)
    channel = do_create_channel(
        db, workspace_id=workspace_id, network=network, name=name, external_account_id=account_id,
        handle=handle, credentials=plain, settings=settings,
    )
    _changed(db, channel, actor, "connected")
    return channel


def do_update_channel(
    db: Session,
    channel: Channel,
    *,
    actor: Actor,
    name: str | None = None,
    credentials: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
) -> Channel:
    """Rename, change settings, or reconnect with new credentials (merged over the stored
    ones, so an admin re-enters only the expired token); a reconnect reactivates the channel."""
    if name is not None:
        if not name.strip():
            raise InvalidInput("name cannot be empty")
        channel.name = name.strip()
    if settings is not None:
        channel.settings = check_settings({**(channel.settings or {}), **settings})
    if credentials is not None:
        merged = {**stored_credentials(channel), **{k: v for k, v in credentials.items() if v not in (None, "")}}
        plain = check_connect(channel.network, merged, channel.settings or {})
        channel.credentials_encrypted = secret_box().encrypt_json(plain)
        channel.external_account_id, handle = _account(channel.network, plain, channel.settings or {})
        channel.handle = handle or channel.handle
        _reactivate(db, channel)
        from henshin.channels.intake import forget_targets

        forget_targets()  # webhooks verify with the new secret in this process at once
    _changed(db, channel, actor, "updated")
    return channel


def _reactivate(db: Session, channel: Channel) -> None:
    channel.status = ChannelStatus.ACTIVE.value
    channel.consecutive_failures = 0
    channel.next_poll_at = None
    channel.rate_limited_until = None
    now = utc_now()
    for alert in repo.open_alerts_of_channel(db, channel.id):
        alert.resolved_at = now


def do_set_paused(db: Session, channel: Channel, *, paused: bool, actor: Actor) -> Channel:
    """Pause (no polling, no sending, webhooks still stored) or resume a channel."""
    if paused:
        channel.status = ChannelStatus.PAUSED.value
    elif channel.status == ChannelStatus.PAUSED.value:
        channel.status = ChannelStatus.ACTIVE.value
        channel.next_poll_at = None
    _changed(db, channel, actor, "paused" if paused else "resumed")
    return channel


def do_mark_disconnected(db: Session, channel: Channel, *, reason: str) -> ChannelAlert | None:
    """Auth expired: stop using the channel and alert its admins (a ``ChannelAlert`` row,
    listed by ``GET /api/v1/channels/alerts``, plus a ``channel.changed`` event)."""
    now = utc_now()
    channel.last_error, channel.last_error_at = reason, now
    if channel.status == ChannelStatus.DISCONNECTED.value:
        return None
    channel.status = ChannelStatus.DISCONNECTED.value
    alert = ChannelAlert(workspace_id=channel.workspace_id, channel_id=channel.id, kind="disconnected",
                         message=reason, created_at=now)
    db.add(alert)
    db.flush()
    _changed(db, channel, Actor.system("connector"), "disconnected", {"reason": reason, "alert_id": alert.id})
    return alert


def do_mark_misconfigured(db: Session, channel: Channel, *, reason: str) -> None:
    """Stored credentials no longer validate: status ``error`` until an admin fixes them."""
    channel.status = ChannelStatus.ERROR.value
    channel.last_error, channel.last_error_at = reason, utc_now()
    _changed(db, channel, Actor.system("connector"), "error", {"reason": reason})


def poll_interval(channel: Channel) -> timedelta:
    return timedelta(seconds=float((channel.settings or {}).get("poll_interval_seconds") or DEFAULT_POLL_SECONDS))


def do_record_sync(db: Session, channel: Channel, *, cursor: dict[str, Any],
                   rate_limit: dict[str, Any] | None, now: datetime, warnings: Sequence[str] = ()) -> None:
    """A poll succeeded: keep the cursor, clear the failure streak, schedule the next poll.

    ``warnings`` (what the network no longer serves, the rest having come through) are kept
    on the channel's health, and each new one alerts the admins once.
    """
    new = [w for w in warnings if w not in (channel.warnings or [])]
    channel.warnings = list(warnings)
    for text in new:
        db.add(ChannelAlert(workspace_id=channel.workspace_id, channel_id=channel.id, kind="degraded",
                            message=text, created_at=now))
    if new:
        channel.last_error, channel.last_error_at = new[0][:4000], now
        _changed(db, channel, Actor.system("connector"), "degraded", {"warnings": new})
    channel.cursor = cursor
    channel.last_sync_at = now
    channel.consecutive_failures = 0
    channel.rate_limited_until = None
    if rate_limit is not None:
        channel.rate_limit = rate_limit
    channel.next_poll_at = now + poll_interval(channel)


def do_record_failure(db: Session, channel: Channel, *, error: str, now: datetime,
                      retry_at: datetime | None = None) -> None:
    """A poll or webhook failed for a reason other than auth: recorded, retried with backoff."""
    channel.last_error, channel.last_error_at = error[:4000], now
    channel.consecutive_failures = (channel.consecutive_failures or 0) + 1
    backoff = min(MAX_BACKOFF, poll_interval(channel) * (2 ** min(channel.consecutive_failures - 1, 10)))
    channel.next_poll_at = retry_at or now + backoff


def do_set_rate_limited(db: Session, channel: Channel, *, until: datetime, error: str, now: datetime) -> None:
    """The network asked us to wait: nothing is dropped, the channel is skipped until ``until``."""
    channel.rate_limited_until = until
    channel.next_poll_at = until
    channel.last_error, channel.last_error_at = error[:4000], now
    channel.rate_limit = {**(channel.rate_limit or {}), "remaining": 0, "reset_at": until.isoformat()}


def _changed(db: Session, channel: Channel, actor: Actor, change: str, data: dict[str, Any] | None = None) -> None:
    publish(db, Event(name=EventName.CHANNEL_CHANGED, workspace_id=channel.workspace_id, actor=actor,
                      payload={"channel_id": channel.id, "change": change, "status": channel.status, **(data or {})}))


def channel_credentials(channel: Channel) -> dict[str, Any]:
    """The decrypted credentials (only connectors and the worker should ask)."""
    return stored_credentials(channel)


def do_set_credentials(db: Session, channel: Channel, credentials: dict[str, Any]) -> None:
    channel.credentials_encrypted = secret_box().encrypt_json(credentials)

