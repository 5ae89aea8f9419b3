"""Webhook intake through HTTP: handshakes, signatures, raw storage, dedupe, failures kept."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from henshin.channels import intake, webhooks
from henshin.channels.webhooks import MAX_BODY_BYTES, process_due_deliveries
from henshin.connectors.signing import x_signature
from henshin.db.session import Database
from henshin.demo.sandbox_channels import (
    instagram_comment_event,
    line_message_event,
    meta_message_event,
    x_mention_event,
)
from henshin.sandbox.pusher import signed_delivery
from henshin.sandbox.server import RunningSandbox
from henshin.web.webhooks import intake_of
from tests.channels.sandbox_fixtures import connect, sandbox, wait_for  # noqa: F401
from tests.support.factories import Tenant

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def tickets(client: TestClient, tenant: Tenant, channel_id: int) -> list[dict]:
    r = client.get("/api/v1/tickets", params={"channel_id": channel_id}, headers=tenant.headers())
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def post(client: TestClient, path: str, body: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, content=body, headers=headers)


def test_x_crc_challenge_is_answered_with_the_consumer_secret(client: TestClient, tenant: Tenant,
                                                             sandbox: RunningSandbox) -> None:
    channel = connect(client, tenant, sandbox, "x")
    r = client.get(f"/webhooks/x/{channel['id']}", params={"crc_token": "abc123"})
    assert r.status_code == 200
    assert r.json() == {"response_token": x_signature(sandbox.state.x_consumer_secret, b"abc123")}


def test_meta_hub_challenge_per_channel_and_per_app(client: TestClient, tenant: Tenant,
                                                    sandbox: RunningSandbox) -> None:
    channel = connect(client, tenant, sandbox, "facebook")
    query = {"hub.mode": "subscribe", "hub.verify_token": sandbox.state.meta_verify_token, "hub.challenge": "1158201444"}
    assert client.get(f"/webhooks/facebook/{channel['id']}", params=query).text == "1158201444"
    assert client.get("/webhooks/meta", params=query).text == "1158201444"
    wrong = client.get(f"/webhooks/facebook/{channel['id']}", params={**query, "hub.verify_token": "nope"})
    assert wrong.status_code == 403


def test_signed_x_mention_becomes_a_ticket_and_duplicates_are_one(client: TestClient, tenant: Tenant,
                                                                  sandbox: RunningSandbox) -> None:
    channel = connect(client, tenant, sandbox, "x")
    body, headers = signed_delivery(sandbox.state, "x", x_mention_event(sandbox, "注文した本が届きません", at=NOW))
    first = post(client, f"/webhooks/x/{channel['id']}", body, headers)
    again = post(client, f"/webhooks/x/{channel['id']}", body, headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["received"] is True
    found = wait_for(lambda: tickets(client, tenant, channel["id"]))
    assert len(found) == 1 and "届きません" in found[0]["subject"]
    # Both were stored before their 200; wait until both are processed (the second one may
    # still be in the processing loop when the ticket of the first is already visible).
    stored = client.get(f"/api/v1/channels/{channel['id']}/deliveries", headers=tenant.headers()).json()
    assert sorted(d["id"] for d in stored) == sorted(first.json()["delivery_ids"] + again.json()["delivery_ids"])
    processed = wait_for(lambda: all(d["status"] == "processed" for d in client.get(
        f"/api/v1/channels/{channel['id']}/deliveries", headers=tenant.headers()).json()))
    assert processed  # both stored raw and processed; one engagement
    assert len(tickets(client, tenant, channel["id"])) == 1


def test_forged_signature_is_rejected_and_nothing_is_stored(client: TestClient, tenant: Tenant,
                                                            sandbox: RunningSandbox) -> None:
    channel = connect(client, tenant, sandbox, "line")
    body, headers = signed_delivery(sandbox.state, "line", line_message_event(sandbox, "偽物", at=NOW), forge=True)
    r = post(client, f"/webhooks/line/{channel['id']}", body, headers)
    assert r.status_code == 401 and "signature" in r.json()["error"]["message"]
    unsigned = post(client, f"/webhooks/line/{channel['id']}", body, {"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    assert client.get(f"/api/v1/channels/{channel['id']}/deliveries", headers=tenant.headers()).json() == []
    assert tickets(client, tenant, channel["id"]) == []


def test_wrong_network_or_unknown_channel_is_404(client: TestClient, tenant: Tenant, sandbox: RunningSandbox) -> None:
    channel = connect(client, tenant, sandbox, "line")
    body, headers = signed_delivery(sandbox.state, "line", line_message_event(sandbox, "hi", at=NOW))
    assert post(client, f"/webhooks/x/{channel['id']}", body, headers).status_code == 404
    assert post(client, "/webhooks/line/999999", body, headers).status_code == 404


def test_malformed_delivery_is_kept_as_failed_with_the_error(client: TestClient, tenant: Tenant,
                                                             sandbox: RunningSandbox) -> None:
    channel = connect(client, tenant, sandbox, "line")
    body, headers = signed_delivery(sandbox.state, "line", {"destination": "U1", "events": [{"type": "mystery"}]})
    assert post(client, f"/webhooks/line/{channel['id']}", body, headers).status_code == 200
    failed = wait_for(lambda: client.get(f"/api/v1/channels/{channel['id']}/deliveries",
                                         params={"status": "failed"}, headers=tenant.headers()).json())
    assert failed and "mystery" in failed[0]["error"] and "mystery" in failed[0]["body"]
    health = client.get(f"/api/v1/channels/{channel['id']}", headers=tenant.headers()).json()["health"]
    assert health["webhooks_failed"] == 1 and "mystery" in health["last_error"]


def test_line_dm_conversation_out_of_order_threads_into_one_ticket(client: TestClient, tenant: Tenant,
                                                                   sandbox: RunningSandbox) -> None:
    channel = connect(client, tenant, sandbox, "line")
    user = "U" + "a" * 32
    later = line_message_event(sandbox, "2通目: 注文番号はA-123です", at=NOW + timedelta(minutes=2), user_id=user)
    earlier = line_message_event(sandbox, "1通目: 支払いができません", at=NOW, user_id=user)
    for payload in (later, earlier):
        body, headers = signed_delivery(sandbox.state, "line", payload)
        assert post(client, f"/webhooks/line/{channel['id']}", body, headers).status_code == 200
    found = wait_for(lambda: [t for t in tickets(client, tenant, channel["id"]) if t.get("message_count", 0) >= 2])
    assert len(found) == 1
    assert len(tickets(client, tenant, channel["id"])) == 1


def test_meta_app_webhook_routes_each_entry_to_its_channel(client: TestClient, tenant: Tenant,
                                                           sandbox: RunningSandbox) -> None:
    fb = connect(client, tenant, sandbox, "facebook")
    ig = connect(client, tenant, sandbox, "instagram")
    body, headers = signed_delivery(sandbox.state, "meta", meta_message_event(sandbox, "facebook", "予約できますか？", at=NOW))
    assert post(client, "/webhooks/meta", body, headers).status_code == 200
    body, headers = signed_delivery(sandbox.state, "meta", instagram_comment_event(sandbox, "色違いはありますか？"))
    assert post(client, "/webhooks/meta", body, headers).status_code == 200
    assert wait_for(lambda: tickets(client, tenant, fb["id"]))[0]["kind"] == "dm"
    assert wait_for(lambda: tickets(client, tenant, ig["id"]))[0]["kind"] == "comment"
    forged_body, forged = signed_delivery(sandbox.state, "meta", json.loads(body), forge=True)
    assert post(client, "/webhooks/meta", forged_body, forged).status_code == 401


def test_an_acknowledged_delivery_survives_a_crash_before_processing(
        app: FastAPI, client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database) -> None:
    """The 200 is sent only once the delivery is committed: if the process dies before
    ingesting it, the worker job finds it stored and makes the ticket."""
    intake_of(app, process=False)  # the server dies right after answering
    channel = connect(client, tenant, sandbox, "line")
    body, headers = signed_delivery(sandbox.state, "line", line_message_event(sandbox, "返品したいです", at=NOW))
    r = post(client, f"/webhooks/line/{channel['id']}", body, headers)
    assert r.status_code == 200 and len(r.json()["delivery_ids"]) == 1
    stored = client.get(f"/api/v1/channels/{channel['id']}/deliveries", headers=tenant.headers()).json()
    assert [d["status"] for d in stored] == ["received"] and tickets(client, tenant, channel["id"]) == []
    assert process_due_deliveries(database) == 1  # the `webhooks` worker job after the restart
    assert "返品" in tickets(client, tenant, channel["id"])[0]["subject"]


def test_a_burst_of_concurrent_deliveries_is_stored_once_each(
        app: FastAPI, client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database) -> None:
    intake_of(app, process=False)  # this test's loop ends with the burst: the worker job ingests
    channel = connect(client, tenant, sandbox, "line")
    payloads = [line_message_event(sandbox, f"問い合わせ{n}", at=NOW + timedelta(seconds=n),
                                   user_id=f"U{n:032x}") for n in range(40)]

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://henshin.test") as push:
            return list(await asyncio.gather(*(
                push.post(f"/webhooks/line/{channel['id']}", content=body, headers=headers)
                for body, headers in (signed_delivery(sandbox.state, "line", p) for p in payloads))))

    answers = asyncio.run(burst())
    assert [a.status_code for a in answers] == [200] * 40
    ids = [i for a in answers for i in a.json()["delivery_ids"]]
    assert len(set(ids)) == 40
    stored = client.get(f"/api/v1/channels/{channel['id']}/deliveries", params={"limit": 200},
                        headers=tenant.headers()).json()
    assert sorted(d["id"] for d in stored) == sorted(ids)
    assert process_due_deliveries(database) == 40
    assert len(client.get("/api/v1/tickets", params={"channel_id": channel["id"], "limit": 100},
                          headers=tenant.headers()).json()["items"]) == 40


def test_a_failed_store_is_not_acknowledged(app: FastAPI, tenant: Tenant, sandbox: RunningSandbox,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with TestClient(app, raise_server_exceptions=False) as fragile:
        channel = connect(fragile, tenant, sandbox, "line")

        def broken(database: Database, rows: list[dict]) -> list[int]:
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))

        monkeypatch.setattr(intake, "store_deliveries", broken)
        body, headers = signed_delivery(sandbox.state, "line", line_message_event(sandbox, "届いてますか", at=NOW))
        r = fragile.post(f"/webhooks/line/{channel['id']}", content=body, headers=headers)
        assert r.status_code >= 500  # the network retries; we never said "received"
        monkeypatch.undo()
        assert fragile.get(f"/api/v1/channels/{channel['id']}/deliveries", headers=tenant.headers()).json() == []


def test_only_get_and_post_reach_a_webhook_and_other_paths_reach_the_app(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox) -> None:
    channel = connect(client, tenant, sandbox, "line")
    body, headers = signed_delivery(sandbox.state, "line", line_message_event(sandbox, "hi", at=NOW))
    put = client.put(f"/webhooks/line/{channel['id']}", content=body, headers=headers)
    assert put.status_code == 405 and put.headers["allow"] == "GET, POST"
    assert client.post("/webhooks/line/not-a-number", content=body, headers=headers).status_code == 404
    assert client.post(f"/webhooks/line/{channel['id']}/extra", content=body, headers=headers).status_code == 404
    assert client.get(f"/api/v1/channels/{channel['id']}/deliveries", headers=tenant.headers()).json() == []


def test_an_oversized_body_is_refused_and_nothing_is_stored(client: TestClient, tenant: Tenant,
                                                            sandbox: RunningSandbox) -> None:
    channel = connect(client, tenant, sandbox, "line")
    payload = line_message_event(sandbox, "x" * (MAX_BODY_BYTES + 10), at=NOW)
    body, headers = signed_delivery(sandbox.state, "line", payload)
    r = post(client, f"/webhooks/line/{channel['id']}", body, headers)
    assert r.status_code == 422 and "bytes" in r.json()["error"]["message"]
    assert client.get(f"/api/v1/channels/{channel['id']}/deliveries", headers=tenant.headers()).json() == []


def test_one_malformed_delivery_in_a_batch_fails_alone_and_duplicates_make_one_ticket(
        app: FastAPI, client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database) -> None:
    intake_of(app, process=False)  # all three wait for one processing round
    channel = connect(client, tenant, sandbox, "line")
    good = signed_delivery(sandbox.state, "line", line_message_event(sandbox, "領収書がほしい", at=NOW))
    bad = signed_delivery(sandbox.state, "line", {"destination": "U1", "events": [{"type": "mystery"}]})
    for body, headers in (good, bad, good):
        assert post(client, f"/webhooks/line/{channel['id']}", body, headers).status_code == 200
    assert process_due_deliveries(database) == 3
    stored = client.get(f"/api/v1/channels/{channel['id']}/deliveries", headers=tenant.headers()).json()
    assert sorted(d["status"] for d in stored) == ["failed", "processed", "processed"]
    assert [d["error"] for d in stored if d["status"] == "processed"] == [None, None]
    assert "mystery" in next(d["error"] for d in stored if d["status"] == "failed")
    found = tickets(client, tenant, channel["id"])
    assert len(found) == 1 and "領収書" in found[0]["subject"]


def test_a_database_failure_while_ingesting_keeps_the_deliveries_for_a_retry(
        app: FastAPI, client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database,
        monkeypatch: pytest.MonkeyPatch) -> None:
    intake_of(app, process=False)
    channel = connect(client, tenant, sandbox, "line")
    body, headers = signed_delivery(sandbox.state, "line", line_message_event(sandbox, "まだですか", at=NOW))
    assert post(client, f"/webhooks/line/{channel['id']}", body, headers).status_code == 200

    def locked(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(webhooks, "ingest_batch", locked)
    assert process_due_deliveries(database) == 1
    monkeypatch.undo()
    stored = client.get(f"/api/v1/channels/{channel['id']}/deliveries", headers=tenant.headers()).json()
    assert stored[0]["status"] == "received" and "locked" in stored[0]["error"]
    assert tickets(client, tenant, channel["id"]) == []
    later = datetime.now(UTC) + timedelta(minutes=5)  # past the backoff
    assert process_due_deliveries(database, now=later) == 1
    assert "まだ" in tickets(client, tenant, channel["id"])[0]["subject"]


def test_webhooks_are_served_behind_a_proxy_prefix(app: FastAPI, tenant: Tenant, sandbox: RunningSandbox) -> None:
    """ASGI servers put the mount prefix in both ``root_path`` and ``path``."""
    with TestClient(app, root_path="/henshin") as proxied:
        channel = connect(proxied, tenant, sandbox, "x")
        r = proxied.get(f"/henshin/webhooks/x/{channel['id']}", params={"crc_token": "abc123"})
        assert r.status_code == 200
        assert r.json() == {"response_token": x_signature(sandbox.state.x_consumer_secret, b"abc123")}
