"""Server time to render the inbox and a ticket page with 1,000,000 tickets (SQLite).

    .venv/bin/python benchmarks/ui.py [--tickets 1000000] [--runs 100] [--db var/bench-ui.sqlite3]

``--db`` keeps the populated SQLite file and reuses it on the next run (loading a
million tickets takes a while).

Each sample is one full HTTP request through the ASGI app (routing, session cookie
auth, queries, Jinja rendering), measured in-process so network noise stays out.
Prints JSON with p50/p95 per page; the target is p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common import emit, machine, percentiles, sqlite_database, timed
from dataset import populate
from fastapi.testclient import TestClient
from sqlalchemy import text

from henshin.config import Settings
from henshin.db.base import Base
from henshin.db.engine import make_engine
from henshin.db.session import Database
from henshin.web.app import create_app
from henshin.workspaces import repository as ws_repo
from henshin.workspaces.actions import do_start_session


@contextmanager
def kept_database(path: str | None) -> Iterator[tuple[Database, bool]]:
    """A throwaway database, or the file at ``path`` (True when it already holds the data)."""
    if path is None:
        with sqlite_database() as database:
            yield database, False
        return
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    existed = file.exists()
    database = Database(make_engine(f"sqlite:///{file}"))
    if not existed:
        import henshin.models  # noqa: F401

        Base.metadata.create_all(database.engine)
    try:
        yield database, existed
    finally:
        database.dispose()


def populated(database: Database, reuse: bool, tickets: int) -> tuple[int, list[int]]:
    """(workspace id, agent ids) of the benchmark workspace, loading it when needed."""
    if not reuse:
        data = populate(database, tickets=tickets)
        return data.workspace_id, data.agent_ids
    with database.engine.connect() as conn:
        workspace_id = conn.execute(text("SELECT id FROM workspaces WHERE slug = 'bench'")).scalar_one()
        agents = [r[0] for r in conn.execute(text(
            "SELECT user_id FROM memberships WHERE workspace_id = :w ORDER BY id"), {"w": workspace_id})]
    return int(workspace_id), agents


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--db", default=None, help="keep/reuse the populated SQLite file here")
    args = parser.parse_args()
    with kept_database(args.db) as (database, reuse):
        _workspace_id, agent_ids = populated(database, reuse, args.tickets)
        with database.unit_of_work() as db:
            user = ws_repo.user_by_id(db, agent_ids[1])
            assert user is not None
            cookie = do_start_session(db, user=user).token
        with database.engine.connect() as conn:
            open_ids = [row[0] for row in conn.execute(text(
                "SELECT id FROM tickets WHERE status = 'open' ORDER BY id LIMIT 5000"))]
        settings = Settings(database_url="sqlite:///unused.sqlite3", run_workers_in_process=False,
                            secret_key="bench-" + "k" * 38 + "=")
        app = create_app(settings, database=database, run_workers=False)
        rng = random.Random(3)
        pages = {
            "inbox_all_open": "/inbox?view=open",
            "inbox_unassigned": "/inbox?view=unassigned",
            "inbox_mine": "/inbox?view=mine",
            "inbox_my_team": "/inbox?view=team",
            "inbox_urgent": "/inbox?view=urgent",
            "inbox_longest_waiting": "/inbox?view=open&sort=oldest_waiting",
            "inbox_rows_live_refresh": "/inbox/rows?view=open",
            "inbox_counts_all_views": "/inbox/counts",
        }
        results: dict[str, object] = {}
        with TestClient(app) as client:
            client.cookies.set("henshin_session", cookie)

            def get(path: str) -> None:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code, response.text[:300])

            for name, path in pages.items():
                results[name] = percentiles(timed(lambda p=path: get(p), args.runs))
            results["ticket_page"] = percentiles(
                timed(lambda: get(f"/tickets/{rng.choice(open_ids)}"), args.runs)
            )
        emit({
            "benchmark": "ui_server_render", "database": "sqlite", "tickets": args.tickets,
            "target_p95_ms": 100, "results": results, "machine": machine(),
        })


if __name__ == "__main__":
    main()
