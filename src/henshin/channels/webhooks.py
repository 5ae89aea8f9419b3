"""Webhook intake: verify a push, store it raw (durably, before the acknowledgement), then
parse and ingest it in a separate step that may be retried.

``accept_webhook`` is what the HTTP route calls; ``process_due_deliveries`` is what runs
right after the response (and as a worker job, which also picks up anything a crash left
behind). Malformed deliveries stay stored with status ``failed`` and the parser's error.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from henshin.channels import repository as repo
from henshin.channels.connection import offline_connector
from henshin.connectors.base import ChallengeResponse, Connector
from henshin.connectors.errors import ConnectorError, SignatureInvalid
from henshin.connectors.types import InboundEngagement
from henshin.db.session import Database
from henshin.ingest.service import MAX_BATCH, ingest_batch
from henshin.kit.errors import InvalidInput, NotFound, Unauthorized
from henshin.kit.time import utc_now
from henshin.models import Channel, WebhookDelivery
from henshin.models.webhook import DeliveryStatus

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
META_NETWORKS = {"page": "facebook", "instagram": "instagram"}
_KEPT_HEADERS = ("content-type", "x-")
_DROPPED_HEADERS = {"x-csrf-token", "x-forwarded-for", "x-real-ip"}


@dataclass
class Accepted:
    """What the route answers: a handshake to echo, or the stored delivery ids."""

    challenge: ChallengeResponse | None = None
    delivery_ids: list[int] = field(default_factory=list)


_connectors: dict[tuple[int, str | None, str | None], Connector] = {}


def _connector(channel: Channel) -> Connector:
    """An offline connector per channel version (decrypting and validating once, not per push)."""
    key = (channel.id, channel.credentials_encrypted, (channel.settings or {}).get("base_url"))
    found = _connectors.get(key)
    if found is None:
        try:
            found = offline_connector(channel)
        except InvalidInput as exc:
            raise InvalidInput(f"channel {channel.id} cannot take webhooks: {exc.message}") from exc
        if len(_connectors) > 1000:
            _connectors.clear()
        _connectors[key] = found
    return found


def _kept_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()
            if k.lower().startswith(_KEPT_HEADERS) and k.lower() not in _DROPPED_HEADERS}


def accept_webhook(database: Database, *, network: str, channel_id: int, method: str,
                   query: dict[str, str], headers: dict[str, str], body: bytes) -> Accepted:
    """Answer a handshake, or verify the signature and store the delivery (committed)."""
    with database.sessions() as db:
        channel = repo.channel_by_id(db, channel_id)
        if channel is None or channel.network != network:
            raise NotFound(f"no {network} channel {channel_id}")
        connector = _connector(channel)
        challenge = connector.webhook_challenge(method, query, headers, body)
        if challenge is not None:
            return Accepted(challenge=challenge)
        if method.upper() != "POST":
            raise InvalidInput("webhook deliveries are POSTed; GET only answers a verification handshake")
        _check_size(body)
        try:
            connector.verify_webhook(headers, body)
        except SignatureInvalid as exc:
            raise Unauthorized(f"webhook signature rejected: {exc}") from exc
        delivery = WebhookDelivery(workspace_id=channel.workspace_id, channel_id=channel.id, network=network,
                                   headers=_kept_headers(headers), body=body, received_at=utc_now())
        db.add(delivery)
        db.commit()
        return Accepted(delivery_ids=[delivery.id])


def _check_size(body: bytes) -> None:
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInput(f"webhook body is {len(body)} bytes; at most {MAX_BODY_BYTES} are accepted")


def accept_meta_webhook(database: Database, *, method: str, query: dict[str, str],
                        headers: dict[str, str], body: bytes) -> Accepted:
    """Meta sends one webhook per app for every page / Instagram account: route each entry
    to the channel connected to that account (``entry[].id``)."""
    with database.sessions() as db:
        if method.upper() == "GET":
            for channel in repo.channels_of_networks(db, list(META_NETWORKS.values())):
                try:
                    answer = _connector(channel).webhook_challenge(method, query, headers, body)
                except InvalidInput:
                    continue
                if answer is not None and answer.status_code == 200:
                    return Accepted(challenge=answer)
            raise Unauthorized("hub.verify_token matches no connected Facebook or Instagram channel")
        _check_size(body)
        try:
            payload = json.loads(body)
            network = META_NETWORKS[payload["object"]]
            entries = [e for e in payload["entry"] if isinstance(e, dict)]
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"not a Meta webhook delivery (object page/instagram with entries): {exc}") from exc
        channels = {c.external_account_id: c for c in
                    repo.channels_by_account(db, [network], [str(e.get("id")) for e in entries])}
        if not channels:
            raise NotFound(f"no {network} channel is connected to the accounts in this delivery")
        try:
            _connector(next(iter(channels.values()))).verify_webhook(headers, body)
        except SignatureInvalid as exc:
            raise Unauthorized(f"webhook signature rejected: {exc}") from exc
        ids = []
        now = utc_now()
        for account_id, channel in channels.items():
            own = [e for e in entries if str(e.get("id")) == account_id]
            part = body if len(own) == len(entries) else json.dumps(
                {"object": payload["object"], "entry": own}, ensure_ascii=False).encode()
            delivery = WebhookDelivery(workspace_id=channel.workspace_id, channel_id=channel.id, network=network,
                                       headers={**_kept_headers(headers), "x-henshin-routed": "meta"},
                                       body=part, received_at=now)
            db.add(delivery)
            db.flush()
            ids.append(delivery.id)
        db.commit()
        return Accepted(delivery_ids=ids)


def process_due_deliveries(database: Database, *, now: datetime | None = None, limit: int = 500) -> int:
    """Parse and ingest stored deliveries that are due; returns how many were handled."""
    now = now or utc_now()
    with database.sessions() as db:
        claimed = repo.claim_deliveries(db, now=now, lease_until=now + LEASE, limit=limit)
        db.commit()
        groups: dict[int, list[int]] = defaultdict(list)
        for delivery in claimed:
            groups[delivery.channel_id].append(delivery.id)
    for channel_id, ids in groups.items():
        try:
            _process_group(database, channel_id, ids)
        except Exception as exc:  # a database hiccup: leave them received, retry with backoff
            log.exception("webhook deliveries %s of channel %s failed; will retry", ids, channel_id)
            _postpone(database, ids, f"{exc.__class__.__name__}: {exc}")
    return len(claimed)


def _process_group(database: Database, channel_id: int, ids: list[int], attempts: int = 5) -> None:
    for attempt in range(attempts):
        with database.sessions() as db:
            try:
                _ingest_group(db, channel_id, ids)
                db.commit()
                return
            except IntegrityError:  # a concurrent delivery of the same items won: they dedupe now
                db.rollback()
                if attempt == attempts - 1:
                    raise


def _ingest_group(db: Any, channel_id: int, ids: list[int]) -> None:
    now = utc_now()
    deliveries = sorted(repo.deliveries_by_ids(db, ids), key=lambda d: d.id)
    channel = repo.channel_by_id(db, channel_id)
    if channel is None:
        return
    try:
        connector = _connector(channel)
    except InvalidInput as exc:
        for delivery in deliveries:
            _fail_or_retry(delivery, exc.message, now)
        return
    items: list[InboundEngagement] = []
    parsed: list[tuple[WebhookDelivery, int]] = []
    for delivery in deliveries:
        try:
            found = connector.parse_webhook(delivery.headers or {}, delivery.body)
        except ConnectorError as exc:
            delivery.status, delivery.error, delivery.processed_at = DeliveryStatus.FAILED.value, str(exc), now
            channel.last_error, channel.last_error_at = f"webhook delivery {delivery.id}: {exc}", now
            continue
        items += found
        parsed.append((delivery, len(found)))
    for start in range(0, len(items), MAX_BATCH):
        ingest_batch(db, workspace_id=channel.workspace_id, channel_id=channel.id, items=items[start:start + MAX_BATCH])
    for delivery, count in parsed:
        delivery.status, delivery.item_count, delivery.processed_at, delivery.error = (
            DeliveryStatus.PROCESSED.value, count, now, None)
    if parsed:
        channel.last_sync_at = now


def _fail_or_retry(delivery: WebhookDelivery, error: str, now: datetime) -> None:
    delivery.error = error
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.processed_at = DeliveryStatus.FAILED.value, now
    else:
        delivery.next_attempt_at = now + timedelta(seconds=2 ** delivery.attempts)


def _postpone(database: Database, ids: list[int], error: str) -> None:
    now = utc_now()
    with database.unit_of_work() as db:
        deliveries = repo.deliveries_by_ids(db, ids)
        for delivery in deliveries:
            if delivery.status == DeliveryStatus.RECEIVED.value:
                _fail_or_retry(delivery, error, now)
        channel = repo.channel_by_id(db, deliveries[0].channel_id) if deliveries else None
        if channel is not None:
            channel.last_error, channel.last_error_at = f"webhook processing: {error}"[:4000], now
