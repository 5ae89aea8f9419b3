"""Webhook deliveries after they were stored: parse and ingest them, a step that may be
retried.

``henshin.channels.intake`` verifies and stores a push before it is acknowledged;
``process_due_deliveries`` runs right after (the intake's processing loop) and as a
worker job, which also picks up anything a crash left behind. Malformed deliveries stay
stored with status ``failed`` and the parser's error.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from henshin.channels import repository as repo
from henshin.channels.connection import offline_connector
from henshin.channels.repository import ClaimedDelivery
from henshin.connectors.base import Connector
from henshin.connectors.errors import ConnectorError
from henshin.connectors.types import InboundEngagement
from henshin.db.session import Database
from henshin.ingest.service import MAX_BATCH, ingest_batch
from henshin.kit.errors import InvalidInput
from henshin.kit.time import utc_now
from henshin.models import Channel, WebhookDelivery
from henshin.models.webhook import DeliveryStatus

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
META_NETWORKS = {"page": "facebook", "instagram": "instagram"}


_connectors: dict[tuple[int, str | None, str | None], Connector] = {}


def webhook_connector(channel: Channel) -> Connector:
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


def process_due_deliveries(database: Database, *, now: datetime | None = None, limit: int = 500) -> int:
    """Parse and ingest stored deliveries that are due; returns how many were handled.

    Per channel, the whole group is one transaction: parse every delivery, ingest all
    their items through the ingest service's bulk path, mark the deliveries in bulk.
    """
    now = now or utc_now()
    with database.sessions() as db:
        claimed = repo.claim_deliveries(db, now=now, lease_until=now + LEASE, limit=limit)
        db.commit()
    groups: dict[int, list[ClaimedDelivery]] = defaultdict(list)
    for delivery in claimed:
        groups[delivery.channel_id].append(delivery)
    for channel_id, deliveries in groups.items():
        try:
            _process_group(database, channel_id, deliveries)
        except Exception as exc:  # a database hiccup: leave them received, retry with backoff
            ids = [d.id for d in deliveries]
            log.exception("webhook deliveries %s of channel %s failed; will retry", ids, channel_id)
            _postpone(database, ids, f"{exc.__class__.__name__}: {exc}")
    return len(claimed)


def _process_group(database: Database, channel_id: int, deliveries: list[ClaimedDelivery],
                   attempts: int = 5) -> None:
    for attempt in range(attempts):
        with database.sessions() as db:
            try:
                _ingest_group(db, channel_id, deliveries)
                db.commit()
                return
            except IntegrityError:  # a concurrent delivery of the same items won: they dedupe now
                db.rollback()
                if attempt == attempts - 1:
                    raise


def _ingest_group(db: Any, channel_id: int, deliveries: list[ClaimedDelivery]) -> None:
    now = utc_now()
    channel = repo.channel_by_id(db, channel_id)
    if channel is None:
        return
    try:
        connector = webhook_connector(channel)
    except InvalidInput as exc:
        for stored in repo.deliveries_by_ids(db, [d.id for d in deliveries]):
            _fail_or_retry(stored, exc.message, now)
        return
    items: list[InboundEngagement] = []
    counts: dict[int, int] = {}
    errors: dict[int, str] = {}
    for delivery in deliveries:
        try:
            found = connector.parse_webhook(delivery.headers or {}, delivery.body)
        except ConnectorError as exc:
            errors[delivery.id] = str(exc)
            channel.last_error, channel.last_error_at = f"webhook delivery {delivery.id}: {exc}", now
            continue
        items += found
        counts[delivery.id] = len(found)
    for start in range(0, len(items), MAX_BATCH):
        ingest_batch(db, workspace_id=channel.workspace_id, channel_id=channel.id, items=items[start:start + MAX_BATCH])
    repo.mark_deliveries_processed(db, counts, now)
    repo.mark_deliveries_failed(db, errors, now)
    if counts:
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
