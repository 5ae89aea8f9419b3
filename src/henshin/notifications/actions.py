"""Queueing notifications and recording their delivery (``do_*``; nothing commits)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from henshin.kit.errors import InvalidInput
from henshin.kit.secrets import secret_box
from henshin.kit.time import utc_now
from henshin.models import Notification
from henshin.notifications import repository as repo

KINDS = ("slack", "email", "webhook")
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(seconds=5)


def do_queue_notification(
    db: Session,
    *,
    workspace_id: int,
    kind: str,
    target: str,
    key: str,
    ticket_id: int | None = None,
    text: str = "",
    subject: str = "",
    payload: dict[str, Any] | None = None,
    secret: str | None = None,
) -> Notification:
    """Queue one notification; the same ``key`` again returns the row already queued."""
    if kind not in KINDS:
        raise InvalidInput(f"a notification is one of {', '.join(KINDS)}, not {kind!r}")
    existing = repo.by_key(db, key)
    if existing is not None:
        return existing
    row = Notification(
        workspace_id=workspace_id, ticket_id=ticket_id, kind=kind, target=target, subject=subject,
        text=text, payload=payload or {}, idempotency_key=key, state="queued",
        secret_encrypted=secret_box().encrypt_json({"secret": secret}) if secret else None,
        next_attempt_at=utc_now(),
    )
    db.add(row)
    db.flush()
    return row


def secret_of(row: Notification) -> str | None:
    """The webhook's signing secret, decrypted."""
    if not row.secret_encrypted:
        return None
    return str(secret_box().decrypt_json(row.secret_encrypted)["secret"])


def do_claim(db: Session, *, now: datetime, limit: int) -> list[Notification]:
    """Mark due rows ``sending`` under a lease (commit before sending anything)."""
    rows = list(repo.claim_due(db, now=now, limit=limit))
    for row in rows:
        row.state = "sending"
        row.attempts += 1
        row.claimed_until = now + LEASE
    db.flush()
    return rows


def do_record_sent(db: Session, row: Notification, *, now: datetime) -> None:
    row.state = "sent"
    row.sent_at = now
    row.claimed_until = None
    row.error = None


def do_record_failure(db: Session, row: Notification, *, error: str, permanent: bool, now: datetime) -> None:
    """Retry with exponential backoff; give up when permanent or after `MAX_ATTEMPTS`."""
    row.claimed_until = None
    if permanent or row.attempts >= MAX_ATTEMPTS:
        row.state = "failed"
        row.error = f"gave up after {row.attempts} attempt(s): {error}"
        return
    row.state = "queued"
    row.next_attempt_at = now + BACKOFF_BASE * (2 ** (row.attempts - 1))
    row.error = f"temporary failure, retrying: {error}"
