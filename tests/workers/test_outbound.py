"""Outbound delivery against the sandbox over real HTTP: exactly once, deferred, retried,
failed with the network's explanation, channel disconnected, LINE reply vs push."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from henshin.channels.connection import open_connector
from henshin.connectors.base import Connector
from henshin.db.session import Database
from henshin.demo.sandbox_channels import line_message_event, meta_message_event, x_mention_event
from henshin.sandbox.pusher import signed_delivery
from henshin.sandbox.server import RunningSandbox
from henshin.workers.outbound import deliver_due
from tests.channels.sandbox_fixtures import connect, sandbox, wait_for  # noqa: F401
from tests.support.factories import Tenant


def inbound(client: TestClient, tenant: Tenant, sandbox: RunningSandbox, network: str, channel_id: int,
            payload: dict[str, Any]) -> dict[str, Any]:
    signer = "meta" if network in ("facebook", "instagram") else network
    body, headers = signed_delivery(sandbox.state, signer, payload)
    assert client.post(f"/webhooks/{network}/{channel_id}", content=body, headers=headers).status_code == 200
    items = wait_for(lambda: client.get("/api/v1/tickets", params={"channel_id": channel_id},
                                        headers=tenant.headers()).json()["items"])
    return dict(items[0])


def reply(client: TestClient, tenant: Tenant, ticket_id: int, text: str) -> None:
    r = client.post(f"/api/v1/tickets/{ticket_id}/reply", json={"text": text}, headers=tenant.headers("agent"))
    assert r.status_code == 200, r.text


def outbound_state(client: TestClient, tenant: Tenant, ticket_id: int) -> dict[str, Any]:
    detail = client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()
    return [m for m in detail["messages"] if m["type"] == "outbound" and m.get("delivery_state")][-1]


def deliver(database: Database, **kwargs: Any) -> int:
    return asyncio.run(deliver_due(database, **kwargs))


class Crash(BaseException):
    """The process dies right after the network accepted the request."""


def test_a_reply_is_sent_exactly_once_even_if_the_worker_dies_mid_send(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database) -> None:
    channel = connect(client, tenant, sandbox, "x")
    ticket = inbound(client, tenant, sandbox, "x", channel["id"],
                     x_mention_event(sandbox, "届きません", at=datetime.now(UTC)))
    text = f"ご不便をおかけしております（{uuid.uuid4().hex[:8]}）"
    reply(client, tenant, ticket["id"], text)

    def crashing(channel_row: Any, **kw: Any) -> Connector:
        connector = open_connector(channel_row, **kw)
        real = connector.perform

        async def perform(action: Any) -> Any:
            await real(action)
            raise Crash
        connector.perform = perform  # type: ignore[method-assign]
        return connector

    with pytest.raises(Crash):
        deliver(database, connector_factory=crashing)
    assert outbound_state(client, tenant, ticket["id"])["delivery_state"] == "sending"
    assert deliver(database) == 0  # the lease still holds: nobody else re-sends it
    assert deliver(database, now=datetime.now(UTC) + timedelta(minutes=5)) == 1
    sent = outbound_state(client, tenant, ticket["id"])
    assert sent["delivery_state"] == "sent" and sent["external_id"]
    assert len([o for o in sandbox.state.sent("x", "reply") if o["text"] == text]) == 1
    history = client.get(f"/api/v1/tickets/{ticket['id']}", headers=tenant.headers()).json()["events"]
    assert any(e["type"] == "outbound" and e["data"]["state"] == "sent" for e in history)


def test_429_defers_and_5xx_retries_without_losing_the_reply(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database) -> None:
    channel = connect(client, tenant, sandbox, "x")
    ticket = inbound(client, tenant, sandbox, "x", channel["id"],
                     x_mention_event(sandbox, "在庫は？", at=datetime.now(UTC)))
    text = f"在庫ございます {uuid.uuid4().hex[:8]}"
    reply(client, tenant, ticket["id"], text)
    sandbox.state.fail_next("/x/2/tweets", 429, reset_in=90)
    deliver(database)
    state = outbound_state(client, tenant, ticket["id"])
    assert state["delivery_state"] == "queued" and "rate limited" in state["delivery_error"]
    assert deliver(database) == 0  # not due before the reset
    sandbox.state.fail_next("/x/2/tweets", 503, times=3)  # the client's own retries exhaust
    deliver(database, now=datetime.now(UTC) + timedelta(seconds=120))
    state = outbound_state(client, tenant, ticket["id"])
    assert state["delivery_state"] == "queued" and "temporary" in state["delivery_error"]
    deliver(database, now=datetime.now(UTC) + timedelta(minutes=10))
    assert outbound_state(client, tenant, ticket["id"])["delivery_state"] == "sent"
    assert len([o for o in sandbox.state.sent("x", "reply") if o["text"] == text]) == 1


def test_expired_token_disconnects_the_channel_and_keeps_the_reply_queued(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database) -> None:
    channel = connect(client, tenant, sandbox, "facebook")
    ticket = inbound(client, tenant, sandbox, "facebook", channel["id"],
                     meta_message_event(sandbox, "facebook", "予約できますか？", at=datetime.now(UTC)))
    reply(client, tenant, ticket["id"], "はい、承ります")
    sandbox.state.tokens["fb-expiring"] = "meta"
    sandbox.state.expire_token("fb-expiring")
    r = client.patch(f"/api/v1/channels/{channel['id']}", json={"credentials": {"access_token": "fb-expiring"}},
                     headers=tenant.headers())
    assert r.status_code == 200
    deliver(database)
    health = client.get(f"/api/v1/channels/{channel['id']}", headers=tenant.headers()).json()
    assert health["status"] == "disconnected" and health["health"]["outbound_queued"] == 1
    alerts = client.get("/api/v1/channels/alerts", headers=tenant.headers()).json()
    assert alerts[0]["channel_id"] == channel["id"] and alerts[0]["kind"] == "disconnected"
    assert deliver(database) == 0  # nothing is sent on a disconnected channel
    r = client.patch(f"/api/v1/channels/{channel['id']}", json={"credentials": {"access_token": "meta-token"}},
                     headers=tenant.headers())
    assert r.json()["status"] == "active"
    assert client.get("/api/v1/channels/alerts", headers=tenant.headers()).json() == []
    deliver(database)
    assert outbound_state(client, tenant, ticket["id"])["delivery_state"] == "sent"


def test_messenger_window_failure_explains_itself_to_the_agent(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database) -> None:
    channel = connect(client, tenant, sandbox, "facebook")
    old = datetime.now(UTC) - timedelta(hours=30)
    ticket = inbound(client, tenant, sandbox, "facebook", channel["id"],
                     meta_message_event(sandbox, "facebook", "返品したいです", at=old, sender="7000099"))
    reply(client, tenant, ticket["id"], "ご連絡ありがとうございます")
    deliver(database)
    state = outbound_state(client, tenant, ticket["id"])
    assert state["delivery_state"] == "failed" and "24-hour" in state["delivery_error"]


def test_line_uses_the_reply_token_then_pushes_when_it_is_spent(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database) -> None:
    channel = connect(client, tenant, sandbox, "line")
    user = "U" + uuid.uuid4().hex
    ticket = inbound(client, tenant, sandbox, "line", channel["id"],
                     line_message_event(sandbox, "今日の営業時間は？", at=datetime.now(UTC), user_id=user))
    reply(client, tenant, ticket["id"], "本日は20時までです")
    deliver(database)
    reply(client, tenant, ticket["id"], "追伸: 明日は定休日です")
    deliver(database)
    assert [o["text"] for o in sandbox.state.sent("line", "reply")][-1] == "本日は20時までです"
    pushes = [o for o in sandbox.state.sent("line", "push") if o["to"] == user]
    assert [p["text"] for p in pushes] == ["追伸: 明日は定休日です"]


def test_a_line_reply_that_landed_before_a_crash_is_not_pushed_again(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database) -> None:
    """LINE takes no retry key on replies: the spent reply token is noted before the call,
    so the retry after a crash refuses to push (which would send it twice) and says why."""
    channel = connect(client, tenant, sandbox, "line")
    user = "U" + uuid.uuid4().hex
    ticket = inbound(client, tenant, sandbox, "line", channel["id"],
                     line_message_event(sandbox, "予約の変更はできますか？", at=datetime.now(UTC), user_id=user))
    text = f"はい、変更できます（{uuid.uuid4().hex[:6]}）"
    reply(client, tenant, ticket["id"], text)

    def crashing(channel_row: Any, **kw: Any) -> Connector:
        connector = open_connector(channel_row, **kw)
        real = connector.perform

        async def perform(action: Any) -> Any:
            await real(action)
            raise Crash
        connector.perform = perform  # type: ignore[method-assign]
        return connector

    with pytest.raises(Crash):
        deliver(database, connector_factory=crashing)
    assert deliver(database, now=datetime.now(UTC) + timedelta(minutes=5)) == 1
    state = outbound_state(client, tenant, ticket["id"])
    assert state["delivery_state"] == "failed" and "twice" in state["delivery_error"]
    assert [o["text"] for o in sandbox.state.sent("line", "reply")].count(text) == 1
    assert not [o for o in sandbox.state.sent("line", "push") if o["to"] == user]


def test_hide_and_delete_comment_go_out_through_the_worker(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database) -> None:
    channel = connect(client, tenant, sandbox, "x")
    ticket = inbound(client, tenant, sandbox, "x", channel["id"],
                     x_mention_event(sandbox, "副業で月100万円！", at=datetime.now(UTC)))
    hidden = client.post(f"/api/v1/tickets/{ticket['id']}/hide", headers=tenant.headers("agent"))
    assert hidden.status_code == 202 and hidden.json()["state"] == "queued"
    deleted = client.post(f"/api/v1/tickets/{ticket['id']}/delete-comment", headers=tenant.headers("agent"))
    assert deleted.status_code == 202
    deliver(database)
    target = hidden.json()["target_external_id"]
    assert sandbox.state.sent("x", "hide")[-1]["target"] == target
    assert sandbox.state.sent("x", "delete")[-1]["target"] == target
    bad = client.post(f"/api/v1/tickets/{ticket['id']}/hide", json={"engagement_id": 999999},
                      headers=tenant.headers("agent"))
    assert bad.status_code == 422 and "engagement 999999" in bad.json()["error"]["message"]
