"""The polling job: each active channel whose connector can poll, at its own interval.

Channels are claimed by moving ``next_poll_at`` ahead in one statement (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL), so several workers share the channels without polling one
twice. Items and the new cursor are stored in one transaction. Errors never stop the
loop: rate limits skip the channel until the reset, transient failures back off, an
expired token disconnects the channel (admins alerted), anything malformed is recorded
on the channel.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import httpx

from henshin.channels import polling
from henshin.channels.connection import ConnectorFactory, open_connector, pollable_networks
from henshin.connectors.base import PollResult
from henshin.connectors.errors import AuthExpired, RateLimited
from henshin.db.session import Database
from henshin.kit.errors import InvalidInput
from henshin.kit.time import utc_now

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)


async def poll_due_channels(database: Database, *, now: datetime | None = None, limit: int = 20,
                            connector_factory: ConnectorFactory = open_connector) -> int:
    """Poll every due channel once; returns how many channels were polled."""
    now = now or utc_now()
    channel_ids = await asyncio.to_thread(polling.claim, database, now=now, lease=LEASE,
                                          networks=pollable_networks(), limit=limit)
    if not channel_ids:
        return 0
    async with httpx.AsyncClient() as http:
        await asyncio.gather(*(_poll_one(database, cid, connector_factory, http) for cid in channel_ids))
    return len(channel_ids)


async def _poll_one(database: Database, channel_id: int, factory: ConnectorFactory,
                    http: httpx.AsyncClient) -> None:
    try:
        connector, cursor = await asyncio.to_thread(polling.open_for_poll, database, channel_id, factory, http)
    except InvalidInput as exc:
        await asyncio.to_thread(polling.record_misconfigured, database, channel_id, exc.message)
        return
    try:
        result: PollResult = await connector.poll(cursor)
    except AuthExpired as exc:
        await asyncio.to_thread(polling.record_disconnected, database, channel_id, str(exc))
    except RateLimited as exc:
        await asyncio.to_thread(polling.record_rate_limited, database, channel_id, exc)
    except Exception as exc:  # transient, malformed, permanent, or a bug: recorded, retried later
        log.info("polling channel %s failed: %s", channel_id, exc)
        text = getattr(exc, "network_message", None) or f"{exc.__class__.__name__}: {exc}"
        await asyncio.to_thread(polling.record_failure, database, channel_id, str(text))
    else:
        await asyncio.to_thread(polling.store_result, database, channel_id, result)
    finally:
        await connector.aclose()
