"""Webhook intake at speed: verify a signed push against a cached channel, store it with
the pushes that arrived at the same moment in one transaction (group commit), and only
then acknowledge it. One long-lived loop ingests what was stored.

Why this shape (measured in ``benchmarks/webhooks.py``): a thread, a session and a
commit per request made SQLite intake ~20 deliveries/s under load, because every
request waited for the write lock the ingest transactions held. Now a request costs an
HMAC and a dict; a burst of N pushes is one INSERT of N rows and one commit.

Nothing is acknowledged before it is stored: ``DeliveryWriter.store`` returns only after
the commit, and raises (→ 5xx, the network retries) when the commit failed. If the
process dies after the 200, the rows stay ``received`` and the ``webhooks`` worker job
(``process_due_deliveries``) ingests them later.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from henshin.channels import repository as repo
from henshin.channels.webhooks import (
    MAX_BODY_BYTES,
    META_NETWORKS,
    process_due_deliveries,
    webhook_connector,
)
from henshin.connectors.base import ChallengeResponse, Connector
from henshin.connectors.errors import SignatureInvalid
from henshin.db.session import Database
from henshin.kit.errors import InvalidInput, NotFound, Unauthorized
from henshin.kit.time import utc_now
from henshin.models import Channel

log = logging.getLogger(__name__)

# How long a channel's webhook secret is trusted from memory. A rotated secret takes
# effect within this time (at once in the process that changed it: ``forget_targets``).
TARGET_TTL_SECONDS = 2.0
_KEPT_HEADERS = ("content-type", "x-")
_DROPPED_HEADERS = {"x-csrf-token", "x-forwarded-for", "x-real-ip"}


@dataclass(frozen=True)
class WebhookTarget:
    """What verifying a push needs to know about its channel."""

    channel_id: int
    workspace_id: int
    network: str
    account_id: str | None
    connector: Connector


@dataclass
class Prepared:
    """A verified push: a handshake to echo, or the delivery rows to store."""

    challenge: ChallengeResponse | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)


_targets: dict[object, tuple[float, WebhookTarget | None]] = {}


def forget_targets() -> None:
    """Drop every cached channel (after credentials change in this process)."""
    _targets.clear()


def _target_of(channel: Channel) -> WebhookTarget:
    return WebhookTarget(channel_id=channel.id, workspace_id=channel.workspace_id, network=channel.network,
                         account_id=channel.external_account_id, connector=webhook_connector(channel))


def _database_key(database: Database) -> object:
    # The engine itself: rendering its URL on every push cost more than the lookup.
    return database.engine


def cached_target(database: Database, channel_id: int) -> tuple[bool, WebhookTarget | None]:
    """(found in memory, target): no database involved, safe on the event loop."""
    hit = _targets.get((_database_key(database), channel_id))
    if hit is None or hit[0] < time.monotonic():
        return False, None
    return True, hit[1]


def load_target(database: Database, channel_id: int) -> WebhookTarget | None:
    """The channel behind ``/webhooks/<network>/<channel_id>`` (cached for a moment)."""
    with database.sessions() as db:
        channel = repo.channel_by_id(db, channel_id)
        target = _target_of(channel) if channel is not None else None
    if len(_targets) > 10_000:
        _targets.clear()
    _targets[(_database_key(database), channel_id)] = (time.monotonic() + TARGET_TTL_SECONDS, target)
    return target


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Only the headers a parser may need (signatures, content type), never cookies."""
    return {k.lower(): v for k, v in headers.items()
            if k.lower().startswith(_KEPT_HEADERS) and k.lower() not in _DROPPED_HEADERS}


def _row(target: WebhookTarget, headers: dict[str, str], body: bytes, now: Any) -> dict[str, Any]:
    return {"workspace_id": target.workspace_id, "channel_id": target.channel_id, "network": target.network,
            "headers": headers, "body": body, "received_at": now, "next_attempt_at": now}


def check_size(body: bytes) -> None:
    """Refuse bodies no network sends (a 413-sized push is an attack, not a customer)."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInput(f"webhook body is {len(body)} bytes; at most {MAX_BODY_BYTES} are accepted")


def prepare_delivery(target: WebhookTarget | None, *, network: str, channel_id: int, method: str,
                     query: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> Prepared:
    """Answer a handshake, or check the signature and return the row to store (pure)."""
    if target is None or target.network != network:
        raise NotFound(f"no {network} channel {channel_id}")
    challenge = target.connector.webhook_challenge(method, query, headers, body)
    if challenge is not None:
        return Prepared(challenge=challenge)
    if method.upper() != "POST":
        raise InvalidInput("webhook deliveries are POSTed; GET only answers a verification handshake")
    check_size(body)
    try:
        target.connector.verify_webhook(headers, body)
    except SignatureInvalid as exc:
        raise Unauthorized(f"webhook signature rejected: {exc}") from exc
    return Prepared(rows=[_row(target, kept_headers(headers), body, utc_now())])


def meta_handshake(database: Database, *, query: Mapping[str, str], headers: Mapping[str, str]) -> Prepared:
    """Meta's app-level ``hub.challenge``: any connected page / IG account with that verify token."""
    with database.sessions() as db:
        channels = list(repo.channels_of_networks(db, list(META_NETWORKS.values())))
        connectors = []
        for channel in channels:
            try:
                connectors.append(webhook_connector(channel))
            except InvalidInput:
                continue
    for connector in connectors:
        answer = connector.webhook_challenge("GET", query, headers, b"")
        if answer is not None and answer.status_code == 200:
            return Prepared(challenge=answer)
    raise Unauthorized("hub.verify_token matches no connected Facebook or Instagram channel")


def meta_accounts(body: bytes) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """(network, payload, entries) of a Meta app webhook, or ``InvalidInput``."""
    check_size(body)
    try:
        payload = json.loads(body)
        network = META_NETWORKS[payload["object"]]
        entries = [e for e in payload["entry"] if isinstance(e, dict)]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"not a Meta webhook delivery (object page/instagram with entries): {exc}") from exc
    return network, payload, entries


def load_meta_targets(database: Database, network: str, account_ids: list[str]) -> dict[str, WebhookTarget]:
    """Channels of ``network`` connected to ``account_ids`` (cached like ``load_target``)."""
    found: dict[str, WebhookTarget] = {}
    missing = []
    for account in account_ids:
        hit = _targets.get((_database_key(database), network, account))
        if hit is not None and hit[0] >= time.monotonic():
            if hit[1] is not None:
                found[account] = hit[1]
        else:
            missing.append(account)
    if missing:
        with database.sessions() as db:
            loaded = {c.external_account_id: _target_of(c) for c in repo.channels_by_account(db, [network], missing)}
        for account in missing:
            target = loaded.get(account)
            _targets[(_database_key(database), network, account)] = (time.monotonic() + TARGET_TTL_SECONDS, target)
            if target is not None:
                found[account] = target
    return found


def prepare_meta_delivery(targets: dict[str, WebhookTarget], *, network: str, payload: dict[str, Any],
                          entries: list[dict[str, Any]], headers: Mapping[str, str], body: bytes) -> Prepared:
    """Verify a Meta app webhook and split it into one row per connected account."""
    if not targets:
        raise NotFound(f"no {network} channel is connected to the accounts in this delivery")
    try:
        next(iter(targets.values())).connector.verify_webhook(headers, body)
    except SignatureInvalid as exc:
        raise Unauthorized(f"webhook signature rejected: {exc}") from exc
    now, kept = utc_now(), {**kept_headers(headers), "x-henshin-routed": "meta"}
    rows = []
    for account_id, target in targets.items():
        own = [e for e in entries if str(e.get("id")) == account_id]
        part = body if len(own) == len(entries) else json.dumps(
            {"object": payload["object"], "entry": own}, ensure_ascii=False).encode()
        rows.append(_row(target, kept, part, now))
    return Prepared(rows=rows)


def store_deliveries(database: Database, rows: list[dict[str, Any]]) -> list[int]:
    """Insert and commit ``rows``; their ids in order."""
    with database.unit_of_work() as db:
        return repo.insert_deliveries(db, rows)


class DeliveryWriter:
    """Group commit: every push waiting while one transaction runs goes into the next one.

    There is no timer: while a commit is in flight new rows pile up, so the batch grows
    exactly as much as the database is slow — one push alone is written at once.
    """

    def __init__(self, database: Database, *, on_stored: Callable[[], None] | None = None,
                 max_rows: int = 2000) -> None:
        self.database = database
        self.on_stored = on_stored
        self.max_rows = max_rows
        self._pending: list[tuple[list[dict[str, Any]], asyncio.Future[list[int]]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    def _ensure_running(self) -> asyncio.Event:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._wake is None:  # a new server (or test client) loop
            self._loop, self._wake, self._task = loop, asyncio.Event(), None
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run(self._wake), name="webhook-writer")
        return self._wake

    async def store(self, rows: list[dict[str, Any]]) -> list[int]:
        """Store ``rows`` durably (committed) and return their ids."""
        wake = self._ensure_running()
        future: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        self._pending.append((rows, future))
        wake.set()
        return await future

    def _take(self) -> list[tuple[list[dict[str, Any]], asyncio.Future[list[int]]]]:
        taken: list[tuple[list[dict[str, Any]], asyncio.Future[list[int]]]] = []
        count = 0
        while self._pending and (not taken or count + len(self._pending[0][0]) <= self.max_rows):
            item = self._pending.pop(0)
            taken.append(item)
            count += len(item[0])
        return taken

    async def _run(self, wake: asyncio.Event) -> None:
        while True:
            await wake.wait()
            wake.clear()
            while self._pending:
                batch = self._take()
                try:
                    ids = await asyncio.to_thread(store_deliveries, self.database,
                                                  [row for rows, _ in batch for row in rows])
                except Exception as exc:  # not stored: every waiting request answers 5xx
                    log.exception("storing %d webhook deliveries failed", len(batch))
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                start = 0
                for rows, future in batch:
                    if not future.done():
                        future.set_result(ids[start:start + len(rows)])
                    start += len(rows)
                if self.on_stored is not None:
                    self.on_stored()


class DeliveryProcessor:
    """One long-lived loop that ingests stored deliveries in batches whenever some arrive.

    A kick while it runs makes it go round once more; the ``webhooks`` worker job is
    the safety net for whatever a crash left behind.

    A push that arrives while the loop is idle is processed at once. Under a stream of
    pushes the loop lingers between rounds so that batches fill: a round has a fixed
    cost (~15 statements plus the after-commit listeners, ~25 ms measured) that made a
    round of 20 deliveries cost twice as much CPU per delivery as one of 300.
    """

    def __init__(self, database: Database, *, batch: int = 500, linger: float = 0.05) -> None:
        self.database = database
        self.batch = batch
        self.linger = linger
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._busy = False

    def kick(self) -> None:
        """Make sure the stored deliveries get processed soon."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._wake is None:
            self._loop, self._wake, self._task = loop, asyncio.Event(), None
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run(self._wake), name="webhook-processor")
        self._wake.set()

    async def _run(self, wake: asyncio.Event) -> None:
        while True:
            await wake.wait()
            wake.clear()
            self._busy = True
            try:
                while (done := await asyncio.to_thread(process_due_deliveries, self.database,
                                                       limit=self.batch)) > 0:
                    if done < self.batch:
                        await asyncio.sleep(self.linger)
            except Exception:
                log.exception("processing webhook deliveries failed; the worker job retries")
            finally:
                self._busy = False

    async def drain(self) -> None:
        """Wait until nothing is being processed (tests and shutdown)."""
        while self._busy or (self._wake is not None and self._wake.is_set()):
            await asyncio.sleep(0.01)

    def stop(self) -> None:
        """Cancel the loop (server shutdown; stored rows wait for the worker job)."""
        if self._task is not None:
            self._task.cancel()
