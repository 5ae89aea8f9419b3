"""Every select() over notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from henshin.models import Notification


def by_key(db: Session, key: str) -> Notification | None:
    return db.scalar(select(Notification).where(Notification.idempotency_key == key))


def get(db: Session, notification_id: int) -> Notification | None:
    return db.get(Notification, notification_id)


def claim_due(db: Session, *, now: datetime, limit: int) -> Sequence[Notification]:
    """Queued rows whose time came, and ``sending`` rows whose lease ran out (a crash)."""
    query = (
        select(Notification)
        .where(
            or_(
                (Notification.state == "queued") & (Notification.next_attempt_at <= now),
                (Notification.state == "sending") & (Notification.claimed_until <= now),
            )
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.scalars(query).all()


def of_workspace(db: Session, workspace_id: int, limit: int = 100) -> Sequence[Notification]:
    return db.scalars(
        select(Notification)
        .where(Notification.workspace_id == workspace_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()
