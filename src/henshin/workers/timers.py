"""Timers driven by rows: snoozed tickets wake when their time comes."""

from __future__ import annotations

from henshin.db.session import Database
from henshin.events.bus import Actor
from henshin.kit.time import utc_now
from henshin.tickets import repository as tickets_repo
from henshin.tickets.actions import do_wake


def wake_due_snoozes(database: Database, *, batch: int = 200) -> int:
    """Reopen every snoozed ticket whose time has come; returns how many woke."""
    with database.unit_of_work() as db:
        due = tickets_repo.due_snoozed(db, utc_now(), limit=batch)
        for ticket in due:
            do_wake(db, ticket, actor=Actor.system("snooze"), reason="time")
        return len(due)
