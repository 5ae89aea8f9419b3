"""Run the demo: SQLite, seeded workspace, a backlog of engagements, new ones every few seconds."""

from __future__ import annotations

import logging
import os
import threading
from collections import defaultdict
from datetime import timedelta

from henshin.config import get_settings
from henshin.connectors.types import InboundEngagement
from henshin.db.engine import make_engine
from henshin.db.migrate import upgrade
from henshin.db.session import Database
from henshin.demo.generator import DemoStream
from henshin.demo.seed import ADMIN_EMAIL, AGENTS, DEMO_PASSWORD, ensure_demo_workspace
from henshin.ingest.service import ingest_with_retry
from henshin.kit.time import utc_now

log = logging.getLogger(__name__)
DEFAULT_DEMO_DB = "sqlite:///var/demo.sqlite3"


def feed(database: Database, workspace_id: int, channel_ids: dict[str, int], items: list[tuple[str, InboundEngagement]]) -> int:
    """Ingest demo items grouped per channel; returns how many were stored."""
    by_channel: dict[int, list[InboundEngagement]] = defaultdict(list)
    for network, engagement in items:
        by_channel[channel_ids[network]].append(engagement)
    stored = 0
    for channel_id, batch in by_channel.items():
        with database.sessions() as db:
            outcomes = ingest_with_retry(db, workspace_id=workspace_id, channel_id=channel_id, items=batch)
            stored += sum(o.result != "duplicate" for o in outcomes)
    return stored


def run_demo(*, host: str, port: int, engagements: int, live_every: float, reset: bool) -> None:
    """Seed (once) and serve; a background thread keeps the inbox alive."""
    import uvicorn

    from henshin.web.app import create_app

    os.environ.setdefault("HENSHIN_DATABASE_URL", DEFAULT_DEMO_DB)
    get_settings.cache_clear()
    settings = get_settings()
    logging.basicConfig(level=settings.log_level)
    if reset and settings.is_sqlite:
        path = settings.database_url.split("///", 1)[-1]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    database = Database(make_engine(settings.database_url))
    upgrade(database.engine)
    with database.unit_of_work() as db:
        demo = ensure_demo_workspace(db)
    stream = DemoStream(seed=2026 if demo.created else int(utc_now().timestamp()))
    if demo.created:
        backlog = [(i.network, i.engagement) for i in stream.backlog(engagements, now=utc_now() - timedelta(minutes=1))]
        stored = feed(database, demo.workspace_id, demo.channel_ids, backlog)
        print(f"seeded {stored} engagements")
    stop = threading.Event()

    def live() -> None:
        while not stop.wait(live_every):
            try:
                item = stream.next(utc_now())
                feed(database, demo.workspace_id, demo.channel_ids, [(item.network, item.engagement)])
            except Exception:
                log.exception("demo generator failed; continuing")

    if live_every > 0:
        threading.Thread(target=live, name="demo-live", daemon=True).start()
    url = f"http://{host}:{port}/"
    print("\n  henshin demo is running")
    print(f"  open   {url}")
    print(f"  login  {ADMIN_EMAIL} / {DEMO_PASSWORD}   (admin)")
    for email, _name, _locale in AGENTS:
        print(f"         {email} / {DEMO_PASSWORD}   (agent)")
    print(f"  API    {url}docs  (token: henshin token create --workspace demo --email {ADMIN_EMAIL})\n")
    try:
        uvicorn.run(create_app(settings, database=database), host=host, port=port, log_level="warning")
    finally:
        stop.set()
