"""Webhook intake: signed LINE deliveries per second into stored engagements, and the
delay from a delivery's receipt to its ticket being visible in ``GET /api/v1/tickets``.

The app runs under uvicorn in a subprocess on SQLite (workers off). What ingests: the
intake's processing loop in the server process (default), the ingester process the server
starts beside itself (``--ingester-process``), or a separate worker process polling like
``henshin worker`` (``--split``). A bounded asyncio client loop posts on loopback. The headline figure,
``engagements_per_s``, counts a delivery only once its engagement is stored (not when it
is acknowledged), from the first POST to the last engagement.

The machine is shared, so rates drift with the neighbours: compare ``intake_vs_baseline``
(the same client against a trivial POST through FastAPI in the same run) and the CPU each
process spends per delivery. ``cpu_bound_per_s`` is derived from those: the rate the
measured CPU per delivery allows on 2 cores with the client on them too (the busiest
process can use at most one core; all of them together at most two).

Run: ``.venv/bin/python benchmarks/webhooks.py [--deliveries 3000] [--concurrency 32]
[--ingester-process | --split]``.
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

SECRET = "bench-line-secret"  # noqa: S105 (a throwaway channel in a temp database)
SERVER = """
import uvicorn
from fastapi import Request
from henshin.config import Settings
from henshin.web.app import create_app
settings = Settings(run_workers_in_process=False)
app = create_app(settings, run_workers=False, freeze_heap={freeze})  # as henshin serve
from henshin.web.webhooks import intake_of
if "{mode}" == "split":
    intake_of(app, process=False)  # a separate worker process ingests
elif "{mode}" == "ingester":
    intake_of(app, own_process=True)  # the server starts its ingester process

@app.post("/bench/baseline")
async def baseline(request: Request) -> dict:  # the same body through the same stack, no work
    await request.body()
    return {{"received": True}}

uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning", access_log=False)
"""


class RawClient:
    """Keep-alive HTTP/1.1 POSTs over asyncio streams: a load generator cheap enough that
    on 2 cores it does not starve the server it measures (httpx spends ~1 ms per request)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(body)}\r\n"
                          f"{head}\r\n".encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


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
        user = do_create_user(db, email="a@bench.example", name="A", password="correct horse battery")  # noqa: S106
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


async def _blast(port: int, path: str, total: int, concurrency: int, offset: int = 0) -> tuple[float, list[int]]:
    queue = list(range(offset, offset + total))
    statuses: list[int] = []
    signed = [delivery(n) for n in queue]  # signing is the network's cost, not ours
    queue = list(range(len(signed)))

    async def worker() -> None:
        client = RawClient("127.0.0.1", port)
        try:
            while queue:
                body, headers = signed[queue.pop()]
                statuses.append(await client.post(path, body, headers))
        finally:
            await client.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start, statuses


async def baseline(port: int, total: int, concurrency: int) -> dict[str, float]:
    """Requests/s of a trivial async POST in the same app, with the same client and bodies:
    what this machine, right now, can do at most (it is shared, so absolute rates drift)."""
    elapsed, statuses = await _blast(port, "/bench/baseline", total, concurrency, offset=50_000_000)
    return {"requests": total, "ok_2xx": sum(s == 200 for s in statuses), "per_s": round(total / elapsed, 1)}


async def throughput(port: int, path: str, total: int, concurrency: int, db_path: str) -> dict[str, float]:
    start = time.perf_counter()
    acked, statuses = await _blast(port, path, total, concurrency)
    conn = sqlite3.connect(db_path)
    stored_deliveries = conn.execute("SELECT count(*) FROM webhook_deliveries").fetchone()[0]
    while conn.execute("SELECT count(*) FROM engagements").fetchone()[0] < total:
        if time.perf_counter() - start > 300:
            break
        await asyncio.sleep(0.01)
    stored = time.perf_counter() - start
    count = conn.execute("SELECT count(*) FROM engagements").fetchone()[0]
    return {"deliveries": total, "accepted_2xx": sum(s == 200 for s in statuses),
            "deliveries_stored_at_ack": stored_deliveries, "engagements_stored": count,
            "acknowledged_per_s": round(total / acked, 1), "engagements_per_s": round(count / stored, 1)}


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


PROCESSOR = """
import gc
import time
from henshin.channels.webhooks import process_due_deliveries
from henshin.config import Settings
from henshin.db.engine import make_engine
from henshin.db.session import Database
from henshin.wiring import wire
settings = Settings()
database = Database(make_engine(settings.database_url))
wire(None, database, settings)
gc.freeze()  # as henshin worker does at start (WorkerRunner.run_forever)
while True:  # what `henshin worker`'s webhooks job does, at its interval (a short one)
    if process_due_deliveries(database, limit={batch}) < {batch}:
        time.sleep({interval})  # not saturated: let the next batch fill, as the in-process loop does
"""


def ingester_pid(pid: int) -> int | None:
    """The ingester process the server ``pid`` started, if any (Linux; not the
    multiprocessing resource tracker, its other child)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes():
                return int(child)
    return None


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time a process used so far (Linux): on a shared machine, CPU per
    request is what stays comparable while wall-clock rates drift with the neighbours."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-samples", type=int, default=100)
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--split", action="store_true",
                       help="ingest in a separate worker process (2 cores: one serves, one ingests)")
    modes.add_argument("--ingester-process", action="store_true",
                       help="the server ingests in a process it starts beside itself")
    parser.add_argument("--worker-interval", type=float, default=0.05)
    parser.add_argument("--batch", type=int, default=500, help="deliveries the split worker takes at a time")
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
    mode = "split" if args.split else "ingester" if args.ingester_process else "in-process"
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(port=port, mode=mode, freeze=os.environ.get("BENCH_FREEZE", "True"))], env=env, cwd=ROOT)
    worker = subprocess.Popen([sys.executable, "-c", PROCESSOR.format(interval=args.worker_interval, batch=args.batch)],
                              env=env, cwd=ROOT) if args.split else None
    base, path = f"http://127.0.0.1:{port}", f"/webhooks/line/{channel_id}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        pids = (server.pid, worker.pid if worker else ingester_pid(server.pid), os.getpid())
        before = [cpu_seconds(p) for p in pids]
        base_rate = asyncio.run(baseline(port, args.deliveries, args.concurrency))
        middle = [cpu_seconds(p) for p in pids]
        intake = asyncio.run(throughput(port, path, args.deliveries, args.concurrency, db_path))
        after = [cpu_seconds(p) for p in pids]

        def per_item(i: int, start: list[float], end: list[float]) -> float:
            return round((end[i] - start[i]) * 1000 / args.deliveries, 3)

        base_rate["server_cpu_ms_per_request"] = per_item(0, before, middle)
        base_rate["client_cpu_ms_per_request"] = per_item(2, before, middle)
        intake["server_cpu_ms_per_delivery"] = per_item(0, middle, after)
        intake["worker_cpu_ms_per_delivery"] = per_item(1, middle, after)
        intake["client_cpu_ms_per_delivery"] = per_item(2, middle, after)
        costs = [intake[f"{p}_cpu_ms_per_delivery"] for p in ("server", "worker", "client")]
        intake["cpu_bound_per_s"] = round(min(1000 / max(costs), 2000 / sum(costs)), 1)
        delay = asyncio.run(latency(base, path, token, channel_id, args.latency_samples))
    finally:
        for process in (server, worker):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
    print(json.dumps({"benchmark": "webhooks", "database": "sqlite", "cpus": os.cpu_count(),
                      "setup": {"split": "server + worker process", "ingester": "server + its ingester process",
                                "in-process": "server processes in-process"}[mode],
                      "load_average": os.getloadavg(), "baseline_trivial_post": base_rate, "intake": intake,
                      "intake_vs_baseline": round(intake["engagements_per_s"] / base_rate["per_s"], 2),
                      "receipt_to_inbox": delay,
                      "targets": {"engagements_per_s": 1000, "receipt_to_inbox_p95_ms": 500}}, indent=2))


if __name__ == "__main__":
    main()
