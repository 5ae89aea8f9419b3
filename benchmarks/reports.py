"""Reports over 1,000,000 tickets / 5,000,000 history events: the dashboard's queries, p50/p95.

    .venv/bin/python benchmarks/reports.py [--tickets 1000000] [--db sqlite,postgres] [--runs 15]
        [--keep-sqlite /tmp/reports-1m.sqlite3] [--postgres-url postgresql+psycopg://…]

Tickets come from ``dataset.populate``; each gets a history (created, messages, assigned,
tagged, replies, closed, reopened… five events per ticket on average) written with core
inserts, and its report facts computed from that history by ``henshin.reports.facts``
(the function the listeners use). Then every query the reports page runs is timed for
the last 30 days (about 82,000 tickets) and for the whole year.

``--keep-sqlite PATH`` keeps the populated SQLite file and, when it already holds the
workspace, measures it again without loading (loading 1,000,000 tickets takes minutes);
``--postgres-url`` does the same with a running PostgreSQL database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from common import emit, machine, percentiles, postgres_database, sqlite_database
from dataset import populate
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from henshin.db.base import Base
from henshin.db.engine import make_engine
from henshin.db.session import Database
from henshin.models import ReportCell, Ticket, TicketEvent, TicketFact, Workspace
from henshin.reports import repository as repo
from henshin.reports.dashboard import DASHBOARD_QUERIES
from henshin.reports.facts import ReportClock, compute_fact
from henshin.reports.queries import heatmap, run_report
from henshin.reports.rollup import rebuild_cells, recompute_tickets
from henshin.reports.schemas import ReportFilter

COLUMNS = (Ticket.id, Ticket.workspace_id, Ticket.channel_id, Ticket.network, Ticket.kind,
           Ticket.assignee_user_id, Ticket.assignee_team_id, Ticket.priority, Ticket.language,
           Ticket.sentiment_label, Ticket.status, Ticket.is_spam, Ticket.created_at,
           Ticket.sla_first_response_due_at, Ticket.sla_resolution_due_at, Ticket.first_response_at,
           Ticket.closed_at)


def history_for(t: Any, agents: list[int], rng: random.Random) -> list[SimpleNamespace]:
    """A plausible history consistent with the ticket row: ~5 events per ticket."""
    def ev(type_: str, at: datetime, actor_type: str = "user", actor_id: int | None = None,
           **data: Any) -> SimpleNamespace:
        return SimpleNamespace(type=type_, actor_type=actor_type, actor_id=actor_id, data=data, created_at=at, id=0)

    agent = t.assignee_user_id or rng.choice(agents)
    out = [ev("created", t.created_at, "customer")]
    if rng.random() < 0.3:
        out.append(ev("replied", t.created_at + timedelta(seconds=30), "rule", 1, automatic=True))
    if t.assignee_user_id:
        out.append(ev("assigned", t.created_at + timedelta(minutes=1), "rule", 1, user_id=t.assignee_user_id))
    if t.first_response_at:
        out.append(ev("replied", t.first_response_at, "user", agent, first_response=True))
        if rng.random() < 0.5:
            at = t.first_response_at + timedelta(minutes=rng.randrange(5, 600))
            out.append(ev("message", at, "customer"))
            out.append(ev("replied", at + timedelta(minutes=rng.randrange(1, 300)), "user", agent))
    if t.status == "closed" and t.closed_at:
        if rng.random() < 0.08:
            mid = t.created_at + (t.closed_at - t.created_at) / 2
            out += [ev("closed", mid, "user", agent), ev("reopened", mid + timedelta(seconds=1), "customer"),
                    ev("message", mid + timedelta(seconds=1), "customer")]
        out.append(ev("closed", max(t.closed_at, t.first_response_at or t.closed_at), "user", agent))
    while len(out) < 4:
        out.append(ev("tagged", t.created_at + timedelta(minutes=2), "user", agent, tags=["x"]))
    return out


def load_history(database: Database, workspace_id: int, agents: list[int], chunk: int = 20_000) -> int:
    rng = random.Random(3)
    with database.sessions() as db:
        workspace = db.get(Workspace, workspace_id)
        assert workspace is not None
        clock = ReportClock.of_workspace(workspace.timezone, workspace.business_hours, workspace.settings)
    events = 0
    last = 0
    start = time.perf_counter()
    while True:
        with database.engine.connect() as conn:
            rows = conn.execute(select(*COLUMNS).where(Ticket.workspace_id == workspace_id, Ticket.id > last)
                                .order_by(Ticket.id).limit(chunk)).all()
        if not rows:
            return events
        with database.sessions() as db:
            tags = repo.tags_of(db, [t.id for t in rows])
        event_rows, fact_rows = [], []
        for t in rows:
            history = history_for(t, agents, rng)
            event_rows += [{"workspace_id": workspace_id, "ticket_id": t.id, "type": e.type,
                            "actor_type": e.actor_type, "actor_id": e.actor_id, "data": e.data,
                            "created_at": e.created_at} for e in history]
            fact_rows.append(compute_fact(t, history, clock, tags[t.id]))
        with database.engine.begin() as conn:
            conn.execute(insert(TicketEvent), event_rows)
            conn.execute(insert(TicketFact), fact_rows)
        events += len(event_rows)
        last = rows[-1].id
        print(f"  history {last:,}: {events:,} events ({events / (time.perf_counter() - start):,.0f}/s)",
              file=sys.stderr)


def load(database: Database, tickets: int) -> tuple[int, int]:
    """(workspace id, history events): a kept database is reused, else populated now."""
    with database.sessions() as db:
        kept = db.scalar(select(Workspace.id).where(Workspace.slug == "bench"))
        if kept is not None:
            return kept, int(db.scalar(select(func.count()).select_from(TicketEvent)) or 0)
    data = populate(database, tickets=tickets, engagements=False)
    return data.workspace_id, load_history(database, data.workspace_id, data.agent_ids)


@contextmanager
def kept_database(url: str) -> Iterator[Database]:
    database = Database(make_engine(url))
    Base.metadata.create_all(database.engine)
    # create_all skips tables that exist: a database kept from before an index was added
    # gets it here, or it would be measured without it.
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            index.create(database.engine, checkfirst=True)
    try:
        yield database
    finally:
        database.dispose()


def build_cells(database: Database, workspace_id: int) -> int:
    """The workspace's report cells, summed from its facts unless a kept database has them."""
    with database.sessions() as db:
        kept = int(db.scalar(select(func.count()).select_from(ReportCell)
                             .where(ReportCell.workspace_id == workspace_id)) or 0)
    if kept:
        return kept
    with database.unit_of_work() as db:
        return rebuild_cells(db, workspace_id)


def analyze(database: Database) -> None:
    if database.engine.dialect.name == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with database.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def timed_with_result(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    """Samples in ms of ``runs`` calls after one warm-up, and the last call's result."""
    result = fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def measure_range(db: Session, workspace: Workspace, f: ReportFilter, runs: int, baseline_runs: int,
                  ) -> dict[str, object]:
    """Each dashboard query as the product runs it (``default``: from the cells when they hold
    the figure) and, as the baseline, straight from the facts (``facts``)."""
    queries: list[tuple[str, Callable[[bool], Any]]] = [
        (name, lambda cells, m=metric, g=group: run_report(db, workspace, m, f, g, use_cells=cells).model_dump())
        for name, metric, group in DASHBOARD_QUERIES
    ]
    queries.append(("heatmap", lambda cells: heatmap(db, workspace, f, use_cells=cells)))
    part: dict[str, object] = {"loadavg_before": loadavg()}
    fast_all: list[float] = []
    direct_all: list[float] = []
    differ: list[str] = []
    for name, query in queries:
        fast, fast_result = timed_with_result(lambda q=query: q(True), runs)
        entry: dict[str, object] = {"default": percentiles(fast)}
        fast_all += fast
        if baseline_runs:
            direct, direct_result = timed_with_result(lambda q=query: q(False), baseline_runs)
            direct_all += direct
            entry["facts"] = percentiles(direct)
            entry["facts_over_default_p50"] = round(statistics.median(direct) / statistics.median(fast), 1)
            if fast_result != direct_result:
                differ.append(name)
        part[name] = entry
    part["all_queries_default"] = percentiles(fast_all)
    if baseline_runs:
        part["all_queries_facts"] = percentiles(direct_all)
        part["same_figures"] = not differ
        part["differing"] = differ
    part["loadavg_after"] = loadavg()
    return part


def listener_cost(database: Database, workspace_id: int, samples: int = 60) -> dict[str, object]:
    """ms per ticket for the after-commit recompute, in its own unit of work each.

    ``facts_only``: a recompute that changes nothing in the cells (no new event);
    ``facts_and_cells``: after a new human reply, which moves parts between cells.
    """
    with database.sessions() as db:
        ids = list(db.scalars(select(Ticket.id).where(Ticket.workspace_id == workspace_id)
                              .order_by(Ticket.id.desc()).limit(2 * samples)))
        replier = db.scalar(select(TicketFact.agent_id).where(TicketFact.agent_id.is_not(None)).limit(1))
    out: dict[str, object] = {}
    plain: list[float] = []
    for ticket_id in ids[:samples]:
        with database.unit_of_work() as db:
            start = time.perf_counter()
            recompute_tickets(db, [ticket_id])
            db.flush()
            plain.append((time.perf_counter() - start) * 1000)
    out["facts_only"] = percentiles(plain)
    moved: list[float] = []
    for ticket_id in ids[samples:]:
        with database.unit_of_work() as db:
            created = db.scalar(select(Ticket.created_at).where(Ticket.id == ticket_id))
            assert created is not None
            db.execute(insert(TicketEvent), [{
                "workspace_id": workspace_id, "ticket_id": ticket_id, "type": "replied", "actor_type": "user",
                "actor_id": replier, "data": {}, "created_at": created + timedelta(hours=30)}])
            start = time.perf_counter()
            recompute_tickets(db, [ticket_id])
            db.flush()
            moved.append((time.perf_counter() - start) * 1000)
    out["facts_and_cells"] = percentiles(moved)
    return out


def measure(database: Database, tickets: int, runs: int, baseline_runs: int) -> dict[str, object]:
    t0 = time.perf_counter()
    workspace_id, events = load(database, tickets)
    analyze(database)
    load_s = round(time.perf_counter() - t0, 1)
    t1 = time.perf_counter()
    cells = build_cells(database, workspace_id)
    analyze(database)
    cells_s = round(time.perf_counter() - t1, 1)
    month = ReportFilter(start=datetime.fromisoformat("2026-10-02T00:00:00+09:00"),
                         end=datetime.fromisoformat("2026-11-01T00:00:00+09:00"))
    year = ReportFilter(start=datetime.fromisoformat("2025-11-01T00:00:00+09:00"),
                        end=datetime.fromisoformat("2026-11-01T00:00:00+09:00"))
    with database.sessions() as db:
        count = int(db.scalar(select(func.count()).select_from(Ticket).where(Ticket.workspace_id == workspace_id)) or 0)
        results: dict[str, object] = {"tickets": count, "events": events, "load_s": load_s, "cells": cells,
                                      "cells_build_s": cells_s}
        workspace = db.get(Workspace, workspace_id)
        assert workspace is not None
        agent = db.scalar(select(TicketFact.agent_id).where(TicketFact.workspace_id == workspace_id,
                                                            TicketFact.agent_id.is_not(None)).limit(1))
        # A whole year for one agent: other filters read the facts (cells hold whole workspaces).
        one_agent = year.model_copy(update={"agent_id": [agent]})
        for label, f, cell_runs, with_baseline in (("last_30_days", month, runs, baseline_runs),
                                                   ("whole_year", year, runs, baseline_runs),
                                                   ("whole_year_one_agent", one_agent, min(runs, 5), 0)):
            results[label] = measure_range(db, workspace, f, cell_runs, with_baseline)
    results["listener_ms"] = listener_cost(database, workspace_id)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline-runs", type=int, default=3, help="runs straight from the facts (0: none)")
    parser.add_argument("--keep-sqlite", type=Path, default=None, help="reuse or keep this SQLite file")
    parser.add_argument("--postgres-url", default=None, help="reuse this database instead of a throwaway server")
    args = parser.parse_args()
    out: dict[str, object] = {"benchmark": "reports", "machine": machine(),
                              "targets_p95_ms": {"sqlite": 2000, "postgres": 500}}
    for kind in args.db.split(","):
        if kind == "sqlite":
            with (kept_database(f"sqlite:///{args.keep_sqlite}") if args.keep_sqlite
                  else sqlite_database()) as database:
                out["sqlite"] = measure(database, args.tickets, args.runs, args.baseline_runs)
        elif kind == "postgres":
            with kept_database(args.postgres_url) if args.postgres_url else postgres_database() as database:
                out["postgres"] = measure(database, args.tickets, args.runs, args.baseline_runs) if database else "PostgreSQL not installed"
    emit(out)


if __name__ == "__main__":
    main()
