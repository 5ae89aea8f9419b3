"""Inbox list speed with 1,000,000 tickets: first page (50) of open tickets by activity,
filtered by assignee, and by tag — p50/p95 on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/inbox.py [--tickets 1000000] [--db sqlite,postgres]

A primary-key lookup timed in the same run is the noise baseline (``ratio_to_pk``).
"""

from __future__ import annotations

import argparse
import random

from common import emit, machine, percentiles, postgres_database, sqlite_database, timed
from dataset import TAGS, Populated, populate

from henshin.db.session import Database
from henshin.models import Ticket
from henshin.models.ticket import TicketStatus
from henshin.tickets.queries import list_tickets
from henshin.tickets.schemas import TicketFilter


def measure(database: Database, tickets: int, runs: int) -> dict[str, object]:
    data = existing(database) or populate(database, tickets=tickets)
    rng = random.Random(1)
    open_only = TicketFilter(status=[TicketStatus.OPEN])
    results: dict[str, object] = {}
    with database.sessions() as db:
        pk = timed(lambda: db.get(Ticket, rng.randrange(1, tickets)) and db.expunge_all(), runs)
        cases = {
            "open_by_activity": lambda: list_tickets(db, data.workspace_id, open_only, limit=50,
                                                     viewer_user_id=data.agent_ids[0]),
            "open_by_assignee": lambda: list_tickets(
                db, data.workspace_id,
                TicketFilter(status=[TicketStatus.OPEN], assignee_id=[rng.choice(data.agent_ids)]),
                limit=50, viewer_user_id=data.agent_ids[0]),
            "open_by_tag": lambda: list_tickets(
                db, data.workspace_id, TicketFilter(status=[TicketStatus.OPEN], tag=[rng.choice(TAGS)]),
                limit=50, viewer_user_id=data.agent_ids[0]),
            "all_by_activity_page_2": lambda: list_tickets(
                db, data.workspace_id, TicketFilter(), limit=50,
                cursor=list_tickets(db, data.workspace_id, TicketFilter(), limit=50).next_cursor),
        }
        pk_stats = percentiles(pk)
        results["pk_lookup"] = pk_stats
        for name, fn in cases.items():
            stats = percentiles(timed(lambda fn=fn: (fn(), db.expunge_all()), runs))
            stats["ratio_to_pk_p50"] = round(stats["p50_ms"] / max(pk_stats["p50_ms"], 1e-3), 1)
            results[name] = stats
    return results


def existing(database: Database) -> Populated | None:
    """Reuse a database populated by an earlier run (``--sqlite-path``): loading takes minutes."""
    from sqlalchemy import func, select

    from henshin.models import Channel, Membership, Team, Workspace

    with database.sessions() as db:
        ws = db.scalar(select(Workspace).where(Workspace.slug == "bench"))
        if ws is None:
            return None
        count = db.scalar(select(func.count()).select_from(Ticket).where(Ticket.workspace_id == ws.id)) or 0
        agents = list(db.scalars(select(Membership.user_id).where(Membership.workspace_id == ws.id)))
        teams = list(db.scalars(select(Team.id).where(Team.workspace_id == ws.id)))
        channels = list(db.scalars(select(Channel.id).where(Channel.workspace_id == ws.id)))
        return Populated(ws.id, agents, teams, channels, "", int(count))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--sqlite-path", help="keep the populated SQLite file here and reuse it")
    args = parser.parse_args()
    out: dict[str, object] = {"benchmark": "inbox", "tickets": args.tickets, "page": 50, "machine": machine(),
                              "targets": {"sqlite_p95_ms": 100, "postgres_p95_ms": 50}}
    if "sqlite" in args.db:
        if args.sqlite_path:
            from henshin.db.base import Base
            from henshin.db.engine import make_engine

            database = Database(make_engine(f"sqlite:///{args.sqlite_path}"))
            Base.metadata.create_all(database.engine)
            out["sqlite"] = measure(database, args.tickets, args.runs)
            database.dispose()
        else:
            with sqlite_database() as database:
                out["sqlite"] = measure(database, args.tickets, args.runs)
    if "postgres" in args.db:
        with postgres_database() as database:
            out["postgres"] = measure(database, args.tickets, args.runs) if database else "PostgreSQL not installed"
    emit(out)


if __name__ == "__main__":
    main()
