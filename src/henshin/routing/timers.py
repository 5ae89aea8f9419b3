"""The SLA worker job: warnings before, and breaches at, each due time."""

from __future__ import annotations

from datetime import datetime

from henshin.db.session import Database
from henshin.routing.sla import raise_due_alerts


def raise_sla_alerts(database: Database, *, now: datetime | None = None) -> int:
    """Record the warnings and breaches that came due (the rules react after commit)."""
    with database.unit_of_work() as db:
        return len(raise_due_alerts(db, now=now))
