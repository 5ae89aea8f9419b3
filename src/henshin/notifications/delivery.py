"""Sending notifications: Slack incoming webhooks, SMTP email, signed generic webhooks.

The worker job claims due rows and commits before sending (a crash leaves a visible
``sending`` row that is retried when its lease runs out), sends each, then records the
outcome. Generic webhooks carry ``X-Henshin-Timestamp`` and ``X-Henshin-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the rule's secret>``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

import httpx

from henshin.connectors.signing import hmac_sha256
from henshin.db.session import Database
from henshin.kit.time import utc_now
from henshin.models import Notification
from henshin.notifications import actions
from henshin.notifications import repository as repo

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Henshin-Signature"
TIMESTAMP_HEADER = "X-Henshin-Timestamp"


@dataclass(frozen=True)
class Mailer:
    """Where email goes: an SMTP server (``henshin`` settings ``smtp_*``)."""

    host: str = "localhost"
    port: int = 25
    sender: str = "henshin@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False


class DeliveryFailed(Exception):
    """A delivery did not succeed; ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Henshin-Signature`` value for a body sent at ``timestamp``."""
    return "sha256=" + hmac_sha256(secret, timestamp.encode() + b"." + body).hex()


def _http(http: httpx.Client, row: Notification) -> None:
    if row.kind == "slack":
        body = json.dumps({"text": row.text}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
    else:
        body = json.dumps({**row.payload, "notification_id": row.id}, ensure_ascii=False).encode()
        timestamp = str(int(utc_now().timestamp()))
        secret = actions.secret_of(row) or ""
        headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp,
                   SIGNATURE_HEADER: sign(secret, timestamp, body),
                   "Idempotency-Key": row.idempotency_key}
    try:
        response = http.post(row.target, content=body, headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise DeliveryFailed(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise DeliveryFailed(f"HTTP {response.status_code}: {response.text[:200]}", permanent=True)


def _email(mailer: Mailer, row: Notification) -> None:
    message = EmailMessage()
    message["From"] = mailer.sender
    message["To"] = row.target
    message["Subject"] = row.subject or "henshin"
    message["Message-ID"] = f"<{row.idempotency_key}@henshin>"
    message.set_content(row.text)
    try:
        with smtplib.SMTP(mailer.host, mailer.port, timeout=10) as smtp:
            if mailer.starttls:
                smtp.starttls()
            if mailer.username:
                smtp.login(mailer.username, mailer.password or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryFailed(f"recipients refused: {exc.recipients}", permanent=True) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


def deliver_due_notifications(database: Database, *, mailer: Mailer | None = None,
                              now: datetime | None = None, limit: int = 50) -> int:
    """Send what is due; returns how many were attempted."""
    now = now or utc_now()
    with database.unit_of_work() as db:
        claimed = [row.id for row in actions.do_claim(db, now=now, limit=limit)]
    if not claimed:
        return 0
    with httpx.Client() as http:
        for notification_id in claimed:
            with database.sessions() as db:
                row = repo.get(db, notification_id)
                if row is None:
                    continue
                db.expunge(row)
            error: DeliveryFailed | None = None
            try:
                if row.kind == "email":
                    _email(mailer or Mailer(), row)
                else:
                    _http(http, row)
            except DeliveryFailed as exc:
                error = exc
            except Exception as exc:  # a bug in one delivery must not stop the others
                log.exception("notification %s failed", notification_id)
                error = DeliveryFailed(str(exc))
            with database.unit_of_work() as db:
                row = repo.get(db, notification_id)
                if row is None:
                    continue
                if error is None:
                    actions.do_record_sent(db, row, now=utc_now())
                else:
                    actions.do_record_failure(db, row, error=str(error), permanent=error.permanent, now=utc_now())
    return len(claimed)


async def deliver_due_notifications_async(database: Database, mailer: Mailer | None = None) -> int:
    """The worker job (runs the blocking sends in a thread)."""
    return await asyncio.to_thread(deliver_due_notifications, database, mailer=mailer)
