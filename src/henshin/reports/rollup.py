"""Keeping the facts and cells exact: recompute each touched ticket after every commit.

The listener runs after the change committed, in its own unit of work. On PostgreSQL it
locks the ticket row first, so two recomputes of one ticket run one after the other and
the later one reads every committed event: the facts never go stale. The ticket's old
fact row says what it had added to the cells; that part is taken out and the new one's
put in, under the workspace's cell lock (``cell_repository.lock_cells``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from henshin.db.session import Database
from henshin.events.bus import Event
from henshin.events.names import EventName
from henshin.kit.time import utc_now
from henshin.reports import cell_repository as cells_repo
from henshin.reports import repository as repo
from henshin.reports.cells import CellKey, Change, changes, contributions
from henshin.reports.facts import ReportClock, compute_fact

log = logging.getLogger(__name__)

TICKET_EVENTS = {
    EventName.TICKET_CREATED, EventName.TICKET_UPDATED, EventName.MESSAGE_RECEIVED,
    EventName.REPLY_CREATED,
}
REBUILD_BATCH = 500
# A workspace this small is recomputed right after its business hours change (about a
# second); a larger one by the worker, its reports saying so meanwhile.
INLINE_REBUILD_TICKETS = 5_000
SWEEP_WINDOW = timedelta(days=2)
SWEEP_SETTLE = timedelta(seconds=30)


def recompute_tickets(db: Session, ticket_ids: Sequence[int], *, cells: bool = True) -> int:
    """Recompute and store the facts of these tickets (and move their cell parts).

    Returns how many facts were written. ``cells=False`` leaves the cells to a rebuild.
    """
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
    tags = repo.tags_of(db, [t.id for t in tickets])
    rows = [compute_fact(t, history[t.id], clocks[t.workspace_id], tags[t.id]) for t in tickets]
    old = cells_repo.facts_by_ticket(db, [t.id for t in tickets]) if cells else {}
    repo.replace_facts(db, rows)
    if cells:
        for wid in sorted(clocks):
            zone = clocks[wid].timezone
            moved = changes(
                [p for t in tickets if t.workspace_id == wid and t.id in old for p in contributions(old[t.id], zone)],
                [p for r in rows if r["workspace_id"] == wid for p in contributions(r, zone)],
            )
            if moved:
                cells_repo.lock_cells(db, wid)
                cells_repo.apply_changes(db, wid, moved)
    return len(rows)


def rebuild_cells(db: Session, workspace_id: int) -> int:
    """Sum every fact of a workspace into its cells anew; returns how many cells."""
    workspace = repo.workspaces(db, [workspace_id])[workspace_id]
    zone = ReportClock.of_workspace(workspace.timezone, workspace.business_hours, workspace.settings).timezone
    summed: dict[CellKey, Change] = {}
    for page in cells_repo.facts_of_workspace_in_pages(db, workspace_id, 5_000):
        for fact in page:
            for part in contributions(fact, zone):
                cell = summed.get(part.key)
                if cell is None:
                    cell = summed[part.key] = Change()
                cell.n += part.n
                cell.total += part.total
                if part.value is not None:
                    cell.added.append(part.value)
    cells_repo.lock_cells(db, workspace_id)
    cells_repo.replace_cells(db, workspace_id, summed)
    return len(summed)


def rebuild_workspace(db: Session, workspace_id: int,
                      progress: Callable[[int], None] | None = None) -> int:
    """Recompute every fact of a workspace from its history, then its cells.

    (``henshin report rebuild``.)
    """
    repo.delete_facts_of_workspace(db, workspace_id)
    done, last = 0, 0
    while True:
        ids = repo.ticket_ids_of_workspace(db, workspace_id, last, REBUILD_BATCH)
        if not ids:
            rebuild_cells(db, workspace_id)
            return done
        done += recompute_tickets(db, ids, cells=False)
        last = ids[-1]
        if progress is not None:
            progress(len(ids))


def rebuild_requested(database: Database, *, max_tickets: int | None = None) -> int:
    """Recompute the workspaces whose business hours changed since their last recompute
    (with ``max_tickets``, only those that small); returns how many were done.

    A request made while one runs (the hours changed again) is left for the next round:
    the mark is cleared only if it is still the one this recompute started from.
    """
    with database.sessions() as db:
        requested = repo.rebuild_requests(db)
    done = 0
    for workspace_id, mark in requested:
        with database.unit_of_work() as db:
            if max_tickets is not None and repo.count_tickets(db, workspace_id) > max_tickets:
                continue
            rebuild_workspace(db, workspace_id)
            repo.clear_rebuild_request(db, workspace_id, mark)
        done += 1
    return done


def sweep_stale(database: Database, *, now: datetime | None = None, batch: int = REBUILD_BATCH) -> int:
    """Recompute the facts the after-commit listener missed; returns how many.

    The listener runs after the commit, so a process that dies (or a database that goes
    away) between the two, or a recompute that lost a race to a concurrent one, leaves a
    fact behind its ticket. Each fact keeps the ticket version it was computed from: the
    worker sweeps the tickets changed in the last ``SWEEP_WINDOW`` whose version moved on,
    leaving the last ``SWEEP_SETTLE`` to the listener that is normally still at work on them.
    """
    now = now or utc_now()
    done = 0
    while True:
        with database.unit_of_work() as db:
            ids = repo.stale_ticket_ids(db, now - SWEEP_WINDOW, now - SWEEP_SETTLE, batch)
            if ids:
                log.warning("reports: recomputing %d ticket facts the after-commit update missed", len(ids))
                done += recompute_tickets(db, ids)
        if len(ids) < batch:
            return done


def on_commit(events: list[Event], bind: Any) -> None:
    """The batch listener: one recompute per committed transaction that touched tickets, and
    a rebuild of a small workspace whose business hours changed (before the change is
    answered; a larger one is left to the worker's `rebuild_requested`).

    It works on the engine the change was committed on, so every database a process
    talks to (tests run many) keeps its own facts exact.
    """
    ids = {e.ticket_id for e in events if e.ticket_id is not None and e.name in TICKET_EVENTS}
    new_hours = {e.workspace_id for e in events if e.name == EventName.WORKSPACE_HOURS_CHANGED}
    if not (ids or new_hours) or bind is None:
        return
    engine = bind if isinstance(bind, Engine) else bind.engine
    if ids:
        with Database(engine).unit_of_work() as db:
            recompute_tickets(db, sorted(ids))
    if new_hours:  # every business-time figure changes with the hours
        rebuild_requested(Database(engine), max_tickets=INLINE_REBUILD_TICKETS)
