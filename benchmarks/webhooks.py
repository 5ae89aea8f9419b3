"""Webhook intake: signed LINE deliveries per second into stored engagements, and the
delay from a delivery's receipt to its ticket being visible in ``GET /api/v1/tickets``.

The app runs under uvicorn in a subprocess on SQLite (workers off: the post-response
processor does the work); a bounded asyncio client loop posts on loopback.
Run: ``.venv/bin/python benchmarks/webhooks.py [--deliveries 3000] [--concurrency 32]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

from henshin.connectors.signing import line_signature  # noqa: E402

SECRET = "bench-line-secret"
SERVER = """
import uvicorn
from henshin.config import Settings
from henshin.web.app import create_app
settings = Settings(run_workers_in_process=False)
uvicorn.run(create_app(settings, run_workers=False), host="127.0.0.1", port={port}, log_level="warning")
"""


def setup(db_url: str) -> tuple[int, str]:
    from henshin.channels.actions import do_connect_channel
    from henshin.db.engine import make_engine
    from henshin.db.migrate import upgrade
    from henshin.db.session import Database
    from henshin.events.bus import Actor
    from henshin.models.workspace import Role
    from henshin.workspaces.actions import (
        do_add_member,
        do_create_api_token,
        do_create_user,
        do_create_workspace,
    )

    database = Database(make_engine(db_url))
    upgrade(database.engine)
    with database.unit_of_work() as db:
        ws = do_create_workspace(db, slug="bench", name="Bench")
        user = do_create_user(db, email="a@bench.example", name="A", password="correct horse battery")
        do_add_member(db, workspace=ws, user=user, role=Role.ADMIN)
        channel = do_connect_channel(db, workspace_id=ws.id, network="line", name="LINE", actor=Actor.system(),
                                     credentials={"channel_id": "1", "channel_secret": SECRET,
                                                  "channel_access_token": "t"})
        token = do_create_api_token(db, workspace_id=ws.id, user_id=user.id, name="bench").token
        return channel.id, token


def delivery(n: int) -> tuple[bytes, dict[str, str]]:
    ms = 1_763_600_000_000 + n
    body = json.dumps({"destination": "Ubench", "events": [{
        "replyToken": f"rt{n}", "type": "message", "mode": "active", "timestamp": ms,
        "source": {"type": "user", "userId": f"U{n:032x}"}, "webhookEventId": f"E{n}",
        "message": {"id": str(700000000000 + n), "type": "text", "text": f"注文{n}が届きません"}}]}).encode()
    return body, {"Content-Type": "application/json", "x-line-signature": line_signature(SECRET, body)}


async def throughput(base: str, path: str, total: int, concurrency: int, db_path: str) -> dict[str, float]:
    queue = list(range(total))
    statuses: list[int] = []

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            body, headers = delivery(queue.pop())
            statuses.append((await client.post(path, content=body, headers=headers)).status_code)

    start = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    acked = time.perf_counter() - start
    conn = sqlite3.connect(db_path)
    while conn.execute("SELECT count(*) FROM engagements").fetchone()[0] < total:
        if time.perf_counter() - start > 300:
            break
        await asyncio.sleep(0.01)
    stored = time.perf_counter() - start
    count = conn.execute("SELECT count(*) FROM engagements").fetchone()[0]
    return {"deliveries": total, "accepted_2xx": sum(s == 200 for s in statuses), "engagements_stored": count,
            "acknowledged_per_s": round(total / acked, 1), "stored_per_s": round(count / stored, 1)}


async def latency(base: str, path: str, token: str, channel_id: int, samples: int) -> dict[str, float]:
    delays = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for i in range(samples):
            body, signed = delivery(10_000_000 + i)
            start = time.perf_counter()
            await client.post(path, content=body, headers=signed)
            want = f"注文{10_000_000 + i}"
            while True:
                page = (await client.get("/api/v1/tickets", params={"channel_id": channel_id, "limit": 1,
                                                                     "q": want}, headers=headers)).json()
                if page["items"]:
                    break
            delays.append((time.perf_counter() - start) * 1000)
    delays.sort()
    return {"samples": samples, "p50_ms": round(delays[len(delays) // 2], 1),
            "p95_ms": round(delays[int(0.95 * (len(delays) - 1))], 1), "max_ms": round(delays[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-samples", type=int, default=100)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="henshin-bench-")
    db_path = f"{tmp}/bench.sqlite3"
    env = {**os.environ, "HENSHIN_DATABASE_URL": f"sqlite:///{db_path}", "HENSHIN_SECRET_KEY": Fernet.generate_key().decode(),
           "HENSHIN_LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    channel_id, token = setup(env["HENSHIN_DATABASE_URL"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(port=port)], env=env, cwd=ROOT)
    base, path = f"http://127.0.0.1:{port}", f"/webhooks/line/{channel_id}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        intake = asyncio.run(throughput(base, path, args.deliveries, args.concurrency, db_path))
        delay = asyncio.run(latency(base, path, token, channel_id, args.latency_samples))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(json.dumps({"benchmark": "webhooks", "database": "sqlite", "cpus": os.cpu_count(),
                      "intake": intake, "receipt_to_inbox": delay,
                      "targets": {"stored_per_s": 1000, "receipt_to_inbox_p95_ms": 500}}, indent=2))


if __name__ == "__main__":
    main()
