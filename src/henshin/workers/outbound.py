"""The outbound delivery job: every reply, DM, hide, unhide and delete is sent exactly once.

1. Claim due rows (``queued`` → ``sending``) and COMMIT before calling any network, so a
   crash leaves a visible ``sending`` row rather than an unknown.
2. Perform each through its channel's connector. A row claimed again after a crash
   (``attempts > 1``) goes through ``deliver_once(..., attempted_before=True)``: the
   connector first looks for the already-published result and only then re-sends.
3. Record the outcome (sent / deferred / retried / failed / channel disconnected).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import httpx

from henshin.channels import outbound
from henshin.channels.connection import ConnectorFactory, open_connector
from henshin.channels.queries import channel_for_worker, outbound_row
from henshin.connectors.base import Connector, deliver_once
from henshin.connectors.errors import RateLimited
from henshin.connectors.types import OutboundAction
from henshin.db.session import Database
from henshin.kit.errors import InvalidInput
from henshin.kit.time import utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    outbound_id: int
    channel_id: int
    attempted_before: bool
    action: OutboundAction | None
    problem: str | None = None


def _claim(database: Database, now: datetime, limit: int) -> list[Claimed]:
    with database.sessions() as db:
        rows = outbound.claim_due(db, now=now, limit=limit)
        claimed = []
        for row in rows:
            try:
                action = outbound.action_for(db, row)
            except ValueError as exc:
                claimed.append(Claimed(row.id, row.channel_id, row.attempts > 1, None, str(exc)))
                continue
            outbound.do_note_reply_token_use(row, action)
            claimed.append(Claimed(row.id, row.channel_id, row.attempts > 1, action))
        db.commit()  # the rows are `sending` (and reply-token uses noted) before any network is called
        return claimed


def _record(database: Database, outbound_id: int, outcome: object, now: datetime) -> None:
    with database.unit_of_work() as db:
        message = outbound_row(db, outbound_id)
        if message is None:
            return
        if isinstance(outcome, Exception):
            outbound.do_record_delivery_error(db, message, outcome, now=now)
        else:
            outbound.do_mark_sent(db, message, outcome, now=now)  # type: ignore[arg-type]


async def deliver_due(database: Database, *, now: datetime | None = None, limit: int = 50,
                      connector_factory: ConnectorFactory = open_connector) -> int:
    """Deliver what is due; returns how many rows were attempted."""
    now = now or utc_now()
    claimed = await asyncio.to_thread(_claim, database, now, limit)
    if not claimed:
        return 0
    connectors: dict[int, Connector | Exception] = {}
    deferred: dict[int, RateLimited] = {}
    async with httpx.AsyncClient() as http:
        for item in claimed:
            outcome: object
            if item.action is None:
                outcome = outbound_error(item.problem or "cannot build the action")
            elif item.channel_id in deferred:
                outcome = deferred[item.channel_id]  # same channel just said "slow down"
            else:
                connector = connectors.get(item.channel_id)
                if connector is None:
                    connector = connectors[item.channel_id] = await asyncio.to_thread(
                        _open, database, item.channel_id, connector_factory, http)
                if isinstance(connector, Exception):
                    outcome = connector
                else:
                    try:
                        outcome = await deliver_once(connector, item.action,
                                                     attempted_before=item.attempted_before)
                    except Exception as exc:
                        outcome = exc
                        if isinstance(exc, RateLimited):
                            deferred[item.channel_id] = exc
            await asyncio.to_thread(_record, database, item.outbound_id, outcome, utc_now())
    return len(claimed)


def outbound_error(text: str) -> Exception:
    from henshin.connectors.errors import PermanentError

    return PermanentError(text)


def _open(database: Database, channel_id: int, factory: ConnectorFactory,
          http: httpx.AsyncClient) -> Connector | Exception:
    with database.sessions() as db:
        channel = channel_for_worker(db, channel_id)
        if channel is None:
            return outbound_error(f"channel {channel_id} no longer exists")
        try:
            return factory(channel, http=http)
        except InvalidInput as exc:
            return outbound_error(f"channel {channel_id} credentials are not usable: {exc.message}")
