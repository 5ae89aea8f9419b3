"""Reports over 1,000,000 tickets / 5,000,000 history events: the dashboard's queries, p50/p95.

    .venv/bin/python benchmarks/reports.py [--tickets 1000000] [--db sqlite,postgres] [--runs 15]

Tickets come from ``dataset.populate``; each gets a history (created, messages, assigned,
tagged, replies, closed, reopened… five events per ticket on average) written with core
inserts, and its report facts computed from that history by ``henshin.reports.facts``
(the function the listeners use). Then every query the reports page runs is timed for
the last 30 days (about 82,000 tickets) and for the whole year.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from common import emit, machine, percentiles, postgres_database, sqlite_database, timed
from dataset import populate
from sqlalchemy import insert, select

from henshin.db.session import Database
from henshin.models import Ticket, TicketEvent, TicketFact, Workspace
from henshin.reports.dashboard import DASHBOARD_QUERIES
from henshin.reports.facts import ReportClock, compute_fact
from henshin.reports.queries import heatmap, run_report
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
        event_rows, fact_rows = [], []
        for t in rows:
            history = history_for(t, agents, rng)
            event_rows += [{"workspace_id": workspace_id, "ticket_id": t.id, "type": e.type,
                            "actor_type": e.actor_type, "actor_id": e.actor_id, "data": e.data,
                            "created_at": e.created_at} for e in history]
            fact_rows.append(compute_fact(t, history, clock))
        with database.engine.begin() as conn:
            conn.execute(insert(TicketEvent), event_rows)
            conn.execute(insert(TicketFact), fact_rows)
        events += len(event_rows)
        last = rows[-1].id
        print(f"  history {last:,}: {events:,} events ({events / (time.perf_counter() - start):,.0f}/s)",
              file=sys.stderr)


def measure(database: Database, tickets: int, runs: int) -> dict[str, object]:
    t0 = time.perf_counter()
    data = populate(database, tickets=tickets, engagements=False)
    events = load_history(database, data.workspace_id, data.agent_ids)
    if database.engine.dialect.name == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with database.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    load_s = round(time.perf_counter() - t0, 1)
    month = ReportFilter(start=datetime.fromisoformat("2026-10-02T00:00:00+09:00"),
                         end=datetime.fromisoformat("2026-11-01T00:00:00+09:00"))
    year = ReportFilter(start=datetime.fromisoformat("2025-11-01T00:00:00+09:00"),
                        end=datetime.fromisoformat("2026-11-01T00:00:00+09:00"))
    results: dict[str, object] = {"tickets": tickets, "events": events, "load_s": load_s}
    with database.sessions() as db:
        workspace = db.get(Workspace, data.workspace_id)
        assert workspace is not None
        for label, f in (("last_30_days", month), ("whole_year", year)):
            part: dict[str, object] = {}
            every: list[float] = []
            for name, metric, group in DASHBOARD_QUERIES:
                samples = timed(lambda m=metric, g=group, f=f: run_report(db, workspace, m, f, g), runs, warmup=1)
                every += samples
                part[name] = percentiles(samples)
            samples = timed(lambda f=f: heatmap(db, workspace, f), runs, warmup=1)
            every += samples
            part["heatmap"] = percentiles(samples)
            part["all_queries"] = percentiles(every)
            results[label] = part
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    out: dict[str, object] = {"benchmark": "reports", "machine": machine(),
                              "targets_p95_ms": {"sqlite": 2000, "postgres": 500}}
    for kind in args.db.split(","):
        if kind == "sqlite":
            with sqlite_database() as database:
                out["sqlite"] = measure(database, args.tickets, args.runs)
        elif kind == "postgres":
            with postgres_database() as database:
                out["postgres"] = measure(database, args.tickets, args.runs) if database else "PostgreSQL not installed"
    emit(out)


if __name__ == "__main__":
    main()
