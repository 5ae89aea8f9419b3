"""The demo's parts without the blocking server: sandbox, channels connected to it, the
live stream's webhooks and the pollers bring tickets from every network."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.demo.live import LiveStream, connect_demo_channels
from henshin.demo.seed import ADMIN_EMAIL, DEMO_PASSWORD, ensure_demo_workspace
from henshin.kit.time import utc_now
from henshin.sandbox.server import RunningSandbox, start_sandbox
from henshin.sandbox.state import SandboxState
from henshin.sandbox.stream import seed_world
from henshin.workers.outbound import deliver_due
from henshin.workers.pollers import poll_due_channels
from tests.channels.sandbox_fixtures import wait_for


@pytest.fixture
def demo_sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox(seed_world(SandboxState(), seed=5, count=6))
    yield running
    running.stop()


def test_demo_brings_tickets_from_every_network_and_replies_reach_the_sandbox(
        client: TestClient, demo_sandbox: RunningSandbox, database: Database) -> None:
    with database.unit_of_work() as db:
        demo = ensure_demo_workspace(db)
    connect_demo_channels(database, demo_sandbox, demo.workspace_id, demo.channel_ids)
    stream = LiveStream(demo_sandbox, demo.channel_ids,
                        lambda path, body, headers: client.post(path, content=body, headers=headers).status_code)
    seen = {stream.step(utc_now()) for _ in range(40)}
    assert {"x", "instagram", "facebook", "line", "rss"} <= seen
    asyncio.run(poll_due_channels(database))
    login = client.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": DEMO_PASSWORD,
                                                    "workspace": "demo"})
    assert login.status_code == 200, login.text
    csrf = login.json().get("csrf_token", "")

    def networks() -> set[str]:
        items = client.get("/api/v1/tickets", params={"limit": 200}).json()["items"]
        return {t["network"] for t in items}
    assert wait_for(lambda: {"x", "instagram", "facebook", "line", "rss"} <= networks())
    ticket = client.get("/api/v1/tickets", params={"network": "line"}).json()["items"][0]
    r = client.post(f"/api/v1/tickets/{ticket['id']}/reply", json={"text": "お問い合わせありがとうございます"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    asyncio.run(deliver_due(database))
    assert any(o["text"] == "お問い合わせありがとうございます" for o in demo_sandbox.state.sent("line"))
