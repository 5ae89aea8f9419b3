"""Run the demo: SQLite, seeded workspace, a backlog of engagements, new ones every few seconds."""

from __future__ import annotations

import logging
import os
import threading
from collections import defaultdict

from henshin.config import get_settings
from henshin.connectors.types import InboundEngagement
from henshin.db.engine import make_engine
from henshin.db.migrate import upgrade
from henshin.db.session import Database
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
    """Start the sandbox networks, connect one channel per network to them, and serve.

    The real connectors do the work: the pollers read the sandbox's X, Instagram, Facebook
    and RSS APIs, a live stream pushes signed webhooks (X, Meta, LINE) into henshin's own
    endpoint, and agents' replies go out through the outbound worker to the sandbox.
    """
    import uvicorn

    from henshin.demo.live import LiveStream, connect_demo_channels, http_sender
    from henshin.sandbox.server import start_sandbox
    from henshin.sandbox.state import SandboxState
    from henshin.sandbox.stream import seed_world
    from henshin.web.app import create_app

    os.environ.setdefault("HENSHIN_DATABASE_URL", DEFAULT_DEMO_DB)
    get_settings.cache_clear()
    settings = get_settings().model_copy(update={"run_workers_in_process": True})
    logging.basicConfig(level=settings.log_level)
    # Every poll of the sandbox would be an INFO line; the demo's console is for the login.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if reset and settings.is_sqlite:
        path = settings.database_url.split("///", 1)[-1]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    database = Database(make_engine(settings.database_url))
    upgrade(database.engine)
    with database.unit_of_work() as db:
        demo = ensure_demo_workspace(db)
    # The fake networks hold the backlog (seeded per network); the pollers bring it in.
    sandbox = start_sandbox(seed_world(SandboxState(), seed=2026, count=max(5, engagements // 5), now=utc_now()))
    connect_demo_channels(database, sandbox, demo.workspace_id, demo.channel_ids)
    url = f"http://{host}:{port}/"
    stream = LiveStream(sandbox, demo.channel_ids, http_sender(url.rstrip("/")))
    stop = threading.Event()

    def live() -> None:
        while not stop.wait(live_every):
            try:
                stream.step(utc_now())
            except Exception:
                log.exception("demo stream failed; continuing")

    if live_every > 0:
        threading.Thread(target=live, name="demo-live", daemon=True).start()
    print("\n  henshin demo is running")
    print(f"  open     {url}")
    print(f"  login    {ADMIN_EMAIL} / {DEMO_PASSWORD}   (admin)")
    for email, _name, _locale in AGENTS:
        print(f"           {email} / {DEMO_PASSWORD}   (agent)")
    print(f"  API      {url}docs  (token: henshin token create --workspace demo --email {ADMIN_EMAIL})")
    print(f"  sandbox  {sandbox.url}  (fake X, Instagram, Facebook, LINE, RSS; replies land there)\n")
    try:
        uvicorn.run(create_app(settings, database=database, run_workers=True), host=host, port=port,
                    log_level="warning")
    finally:
        stop.set()
        sandbox.stop()
