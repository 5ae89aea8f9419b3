"""The server's own ingester process: pushes become tickets there, live updates come back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from henshin.demo.sandbox_channels import line_message_event
from henshin.sandbox.pusher import signed_delivery
from henshin.sandbox.server import RunningSandbox
from henshin.web.realtime.hub import hub_of
from henshin.web.webhooks import intake_of
from henshin.workers.ingester import IngesterProcess
from tests.channels.sandbox_fixtures import connect, sandbox, wait_for  # noqa: F401
from tests.support.factories import Tenant


def test_deliveries_are_ingested_in_the_servers_ingester_process(
        app: FastAPI, client: TestClient, tenant: Tenant, sandbox: RunningSandbox,
        monkeypatch: pytest.MonkeyPatch) -> None:
    hub = hub_of(app)
    live: list[dict[str, Any]] = []
    monkeypatch.setattr(hub, "_fan_out", lambda _workspace, message: live.append(message))  # what streams get
    app.state.settings.ingest_in_own_process = True  # HENSHIN_INGEST_IN_OWN_PROCESS=true
    intake = intake_of(app)
    assert isinstance(intake.processor, IngesterProcess)
    try:
        channel = connect(client, tenant, sandbox, "line")
        live.clear()
        at = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
        body, headers = signed_delivery(sandbox.state, "line", line_message_event(sandbox, "別プロセスで届く", at=at))
        answer = client.post(f"/webhooks/line/{channel['id']}", content=body, headers=headers)
        assert answer.status_code == 200
        found = wait_for(lambda: client.get("/api/v1/tickets", params={"channel_id": channel["id"]},
                                            headers=tenant.headers()).json()["items"], timeout=60)
        assert len(found) == 1 and "別プロセス" in found[0]["subject"]
        created = wait_for(lambda: [m for m in live if m.get("event") == "ticket.created"], timeout=10)
        assert [m["ticket_id"] for m in created] == [found[0]["id"]]
    finally:
        intake.processor.stop()
