"""The storage side of polling a channel: claim, store items with the new cursor, record
rate limits, failures and disconnections. The worker (``henshin.workers.pollers``) calls
these around the connector's ``poll``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from henshin.channels import repository as repo
from henshin.channels.actions import (
    do_mark_disconnected,
    do_mark_misconfigured,
    do_record_failure,
    do_record_sync,
    do_set_rate_limited,
)
from henshin.channels.connection import ConnectorFactory
from henshin.connectors.base import Connector, PollResult
from henshin.connectors.errors import RateLimited
from henshin.db.session import Database
from henshin.ingest.service import MAX_BATCH, ingest_batch
from henshin.kit.errors import InvalidInput
from henshin.kit.time import utc_now


def claim(database: Database, *, now: datetime, lease: timedelta, networks: list[str], limit: int) -> list[int]:
    """Ids of the channels this worker polls now (their ``next_poll_at`` moved ahead)."""
    with database.sessions() as db:
        channels = repo.claim_channels_to_poll(db, now=now, lease_until=now + lease, networks=networks, limit=limit)
        db.commit()
        return [c.id for c in channels]


def open_for_poll(database: Database, channel_id: int, factory: ConnectorFactory,
                  http: Any) -> tuple[Connector, dict[str, Any]]:
    """The channel's connector and stored cursor (``InvalidInput`` if credentials are unusable)."""
    with database.sessions() as db:
        channel = repo.channel_by_id(db, channel_id)
        if channel is None:
            raise InvalidInput(f"channel {channel_id} no longer exists")
        return factory(channel, http=http), dict(channel.cursor or {})


def store_result(database: Database, channel_id: int, result: PollResult, attempts: int = 5) -> int:
    """Ingest the items and keep the new cursor in one transaction; returns items stored."""
    for attempt in range(attempts):
        with database.sessions() as db:
            channel = repo.channel_by_id(db, channel_id)
            if channel is None:
                return 0
            try:
                stored = 0
                for start in range(0, len(result.items), MAX_BATCH):
                    outcomes = ingest_batch(db, workspace_id=channel.workspace_id, channel_id=channel.id,
                                            items=result.items[start:start + MAX_BATCH])
                    stored += sum(o.result != "duplicate" for o in outcomes)
                limit = result.rate_limit.model_dump(mode="json") if result.rate_limit else None
                do_record_sync(db, channel, cursor=result.cursor, rate_limit=limit, now=utc_now(),
                               warnings=result.warnings)
                db.commit()
                return stored
            except IntegrityError:  # a webhook stored some of these first: they dedupe on retry
                db.rollback()
                if attempt == attempts - 1:
                    raise
    return 0


def _with_channel(database: Database, channel_id: int, change: Any) -> None:
    with database.unit_of_work() as db:
        channel = repo.channel_by_id(db, channel_id)
        if channel is not None:
            change(db, channel)


def record_rate_limited(database: Database, channel_id: int, error: RateLimited) -> None:
    now = utc_now()
    until = now + timedelta(seconds=error.wait_seconds(now))
    _with_channel(database, channel_id, lambda db, c: do_set_rate_limited(
        db, c, until=until, error=f"rate limited until {until.isoformat(timespec='seconds')}: {error}", now=now))


def record_failure(database: Database, channel_id: int, error: str) -> None:
    _with_channel(database, channel_id, lambda db, c: do_record_failure(db, c, error=error, now=utc_now()))


def record_disconnected(database: Database, channel_id: int, reason: str) -> None:
    _with_channel(database, channel_id, lambda db, c: do_mark_disconnected(db, c, reason=reason))


def record_misconfigured(database: Database, channel_id: int, reason: str) -> None:
    _with_channel(database, channel_id, lambda db, c: do_mark_misconfigured(db, c, reason=reason))
