"""Live updates through the API: the SSE stream, presence heartbeats, LISTEN/NOTIFY."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from henshin.config import Settings
from henshin.db.session import Database
from henshin.web.app import create_app
from tests.conftest import TEST_KEY, _postgres_database
from tests.e2e.live_server import LiveServer, free_port
from tests.support.factories import Tenant, engagement, make_tenant


def read_events(response: httpx.Response) -> Iterator[dict[str, Any]]:
    """Parse ``event:``/``data:`` pairs from an SSE response as they arrive."""
    kind = None
    for line in response.iter_lines():
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind:
            yield {"type": kind, **json.loads(line[6:])}
            kind = None


def next_event(events: Iterator[dict[str, Any]], wanted: str, **match: Any) -> dict[str, Any]:
    for event in events:
        if event["type"] == wanted and all(event.get(k) == v for k, v in match.items()):
            return event
    raise AssertionError(f"stream ended before a {wanted} event")


def post_engagements(url: str, tenant: Tenant, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{url}/api/v1/engagements", headers=tenant.headers(),
        json={"channel_id": tenant.channel_id, "engagements": items}, timeout=10,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


@pytest.fixture
def server(database: Database, settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(settings, database=database, run_workers=False)) as live:
        yield live


def test_a_new_engagement_and_a_teammates_change_reach_the_open_stream(
    server: LiveServer, database: Database
) -> None:
    tenant = make_tenant(database)
    with httpx.Client(base_url=server.url, headers=tenant.headers("agent"), timeout=10) as http:
        with http.stream("GET", "/live/stream") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = read_events(stream)
            next_event(events, "hello", workspace_id=tenant.workspace_id)
            [item] = post_engagements(server.url, tenant, [engagement(text="荷物が届きません")])
            created = next_event(events, "ticket", ticket_id=item["ticket_id"])
            assert created["event"] == "ticket.created"
            assert created["workspace_id"] == tenant.workspace_id
            # the admin (another person) assigns it: the agent's stream shows who did what
            httpx.post(f"{server.url}/api/v1/tickets/{item['ticket_id']}/assign",
                       json={"user_id": tenant.agent_id}, headers=tenant.headers(), timeout=10)
            assigned = next_event(events, "ticket", change="assigned")
            assert assigned["actor"] == {"type": "user", "id": tenant.admin_id, "name": f"Admin{tenant.admin_email[5:].split('@')[0]}"}


def test_a_stream_only_carries_its_own_workspace(server: LiveServer, database: Database) -> None:
    ours, theirs = make_tenant(database), make_tenant(database)
    with httpx.Client(base_url=server.url, headers=ours.headers(), timeout=10) as http:
        with http.stream("GET", "/live/stream") as stream:
            events = read_events(stream)
            next_event(events, "hello")
            post_engagements(server.url, theirs, [engagement(text="other brand")])
            [mine] = post_engagements(server.url, ours, [engagement(text="our brand")])
            first = next_event(events, "ticket")
            assert first["ticket_id"] == mine["ticket_id"]
            assert first["workspace_id"] == ours.workspace_id


def test_presence_heartbeats_show_who_views_and_who_types(server: LiveServer, database: Database) -> None:
    tenant = make_tenant(database)
    [item] = post_engagements(server.url, tenant, [engagement(text="返品したい")])
    ticket_id = item["ticket_id"]
    with httpx.Client(base_url=server.url, headers=tenant.headers(), timeout=10) as http:
        with http.stream("GET", "/live/stream") as stream:
            events = read_events(stream)
            next_event(events, "hello")
            beat = httpx.post(f"{server.url}/live/presence", headers=tenant.headers("agent"),
                              json={"ticket_id": ticket_id, "state": "typing"}, timeout=10)
            assert beat.status_code == 204
            presence = next_event(events, "presence", ticket_id=ticket_id)
            assert [(v["user_id"], v["typing"]) for v in presence["viewers"]] == [(tenant.agent_id, True)]
            httpx.post(f"{server.url}/live/presence", headers=tenant.headers("agent"),
                       json={"ticket_id": ticket_id, "state": "left"}, timeout=10)
            assert next_event(events, "presence", ticket_id=ticket_id)["viewers"] == []


def test_presence_is_refused_for_another_workspaces_ticket_and_bad_states(
    server: LiveServer, database: Database
) -> None:
    ours, theirs = make_tenant(database), make_tenant(database)
    [item] = post_engagements(server.url, theirs, [engagement(text="secret")])
    other = httpx.post(f"{server.url}/live/presence", headers=ours.headers(),
                       json={"ticket_id": item["ticket_id"]}, timeout=10)
    assert other.status_code == 404
    bad = httpx.post(f"{server.url}/live/presence", headers=ours.headers(),
                     json={"ticket_id": item["ticket_id"], "state": "dancing"}, timeout=10)
    assert bad.status_code == 422 and "state" in bad.json()["error"]["message"]
    assert httpx.get(f"{server.url}/live/stream", timeout=10).status_code == 401


@pytest.mark.postgres
def test_changes_cross_server_processes_through_listen_notify(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> None:
    server = request.getfixturevalue("postgres_server")
    database = _postgres_database(server, request.getfixturevalue("postgres_template"))
    tenant = make_tenant(database)
    url = database.engine.url.render_as_string(hide_password=False)
    port = free_port()
    env = {**os.environ, "HENSHIN_DATABASE_URL": url, "HENSHIN_SECRET_KEY": TEST_KEY,
           "HENSHIN_RUN_WORKERS_IN_PROCESS": "false"}
    code = ("import uvicorn; from henshin.web.app import create_app; "
            f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, log_level='warning', "
            "timeout_graceful_shutdown=1)")
    other = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=tmp_path)  # noqa: S603
    try:
        other_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # importing the app is slow on a busy CI machine
        while True:
            assert other.poll() is None, "the second server process exited"
            try:
                if httpx.get(f"{other_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the second server process did not start"
            time.sleep(0.1)
        with LiveServer(create_app(settings, database=database, run_workers=False)) as this:
            with httpx.Client(base_url=other_url, headers=tenant.headers("agent"), timeout=10) as http:
                with http.stream("GET", "/live/stream") as stream:
                    events = read_events(stream)
                    next_event(events, "hello")
                    # written through this process; seen on the stream of the other one
                    [item] = post_engagements(this.url, tenant, [engagement(text="複数サーバー")])
                    seen = next_event(events, "ticket", ticket_id=item["ticket_id"])
                    assert seen["event"] == "ticket.created"
                    httpx.post(f"{this.url}/live/presence", headers=tenant.headers(),
                               json={"ticket_id": item["ticket_id"], "state": "viewing"}, timeout=10)
                    presence = next_event(events, "presence", ticket_id=item["ticket_id"])
                    assert [v["user_id"] for v in presence["viewers"]] == [tenant.admin_id]
    finally:
        other.terminate()
        other.wait(timeout=10)
        database.dispose()
