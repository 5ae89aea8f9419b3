"""Keeping the facts exact: recompute each touched ticket after every commit; rebuild all.

The listener runs after the change committed, in its own unit of work. On PostgreSQL it
locks the ticket row first, so two recomputes of one ticket run one after the other and
the later one reads every committed event: the facts never go stale.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from henshin.db.session import Database
from henshin.events.bus import Event
from henshin.events.names import EventName
from henshin.reports import repository as repo
from henshin.reports.facts import ReportClock, compute_fact

log = logging.getLogger(__name__)

TICKET_EVENTS = {
    EventName.TICKET_CREATED, EventName.TICKET_UPDATED, EventName.MESSAGE_RECEIVED,
    EventName.REPLY_CREATED,
}
REBUILD_BATCH = 500


def recompute_tickets(db: Session, ticket_ids: Sequence[int]) -> int:
    """Recompute and store the facts of these tickets; returns how many were written."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    tickets = repo.tickets_for_facts(db, ids, lock=True)
    if not tickets:
        return 0
    spaces = repo.workspaces(db, list({t.workspace_id for t in tickets}))
    clocks = {
        wid: ReportClock.of_workspace(w.timezone, w.business_hours, w.settings)
        for wid, w in spaces.items()
    }
    history = repo.history_of_tickets(db, [t.id for t in tickets])
    rows = [compute_fact(t, history[t.id], clocks[t.workspace_id]) for t in tickets]
    repo.replace_facts(db, rows)
    return len(rows)


def rebuild_workspace(db: Session, workspace_id: int,
                      progress: Callable[[int], None] | None = None) -> int:
    """Recompute every fact of a workspace from its history (``henshin report rebuild``)."""
    repo.delete_facts_of_workspace(db, workspace_id)
    done, last = 0, 0
    while True:
        ids = repo.ticket_ids_of_workspace(db, workspace_id, last, REBUILD_BATCH)
        if not ids:
            return done
        done += recompute_tickets(db, ids)
        last = ids[-1]
        if progress is not None:
            progress(len(ids))


def on_commit(events: list[Event], bind: Any) -> None:
    """The batch listener: one recompute per committed transaction that touched tickets.

    It works on the engine the change was committed on, so every database a process
    talks to (tests run many) keeps its own facts exact.
    """
    ids = {e.ticket_id for e in events if e.ticket_id is not None and e.name in TICKET_EVENTS}
    if not ids or bind is None:
        return
    engine = bind if isinstance(bind, Engine) else bind.engine
    with Database(engine).unit_of_work() as db:
        recompute_tickets(db, sorted(ids))
