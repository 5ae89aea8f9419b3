"""The polling job against the sandbox: items arrive once, cursors advance, rate limits
and failures are recorded on the channel's health, an expired token disconnects."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.demo.sandbox_channels import x_mention_event
from henshin.sandbox.pusher import signed_delivery
from henshin.sandbox.server import RunningSandbox
from henshin.sandbox.stream import set_feed
from henshin.workers.pollers import poll_due_channels
from tests.channels.sandbox_fixtures import connect, sandbox, wait_for  # noqa: F401
from tests.support.factories import Tenant


def poll(database: Database, **kwargs: Any) -> int:
    return asyncio.run(poll_due_channels(database, **kwargs))


def channel(client: TestClient, tenant: Tenant, channel_id: int) -> dict[str, Any]:
    return dict(client.get(f"/api/v1/channels/{channel_id}", headers=tenant.headers()).json())


def count(client: TestClient, tenant: Tenant, channel_id: int) -> int:
    r = client.get("/api/v1/tickets", params={"channel_id": channel_id, "limit": 200}, headers=tenant.headers())
    return len(r.json()["items"])


def test_polling_every_network_brings_tickets_once(client: TestClient, tenant: Tenant,
                                                   sandbox: RunningSandbox, database: Database) -> None:
    ids = {n: connect(client, tenant, sandbox, n)["id"] for n in ("x", "instagram", "facebook", "rss")}
    assert poll(database) >= 4
    counts = {n: count(client, tenant, cid) for n, cid in ids.items()}
    assert all(counts.values()), counts
    x = channel(client, tenant, ids["x"])
    assert x["health"]["state"] == "ok" and x["last_sync_at"] and x["health"]["lag_seconds"] is not None
    assert x["health"]["rate_limit"]["limit"] == 450
    assert poll(database) == 0  # not due before the interval
    poll(database, now=datetime.now(UTC) + timedelta(minutes=2))
    assert {n: count(client, tenant, cid) for n, cid in ids.items()} == counts


def test_poll_and_webhook_of_the_same_tweet_are_one_ticket(client: TestClient, tenant: Tenant,
                                                           sandbox: RunningSandbox, database: Database) -> None:
    x = connect(client, tenant, sandbox, "x")
    poll(database)
    before = count(client, tenant, x["id"])
    tweet_id = sandbox.state.next_id()
    at = datetime.now(UTC)
    sandbox.state.tweets.append({"id": tweet_id, "author_id": "2000000001", "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                                 "text": f"@{sandbox.state.x_username} 同じ投稿です", "conversation_id": tweet_id})
    body, headers = signed_delivery(sandbox.state, "x", x_mention_event(sandbox, "同じ投稿です", at=at, tweet_id=tweet_id))
    assert client.post(f"/webhooks/x/{x['id']}", content=body, headers=headers).status_code == 200
    wait_for(lambda: count(client, tenant, x["id"]) > before)
    poll(database, now=datetime.now(UTC) + timedelta(minutes=2))
    assert count(client, tenant, x["id"]) == before + 1


def test_rate_limit_skips_the_channel_until_reset(client: TestClient, tenant: Tenant,
                                                  sandbox: RunningSandbox, database: Database) -> None:
    x = connect(client, tenant, sandbox, "x")
    sandbox.state.fail_next("/x/2/users", 429, reset_in=300)
    poll(database)
    health = channel(client, tenant, x["id"])["health"]
    assert health["state"] == "rate_limited" and health["rate_limited_until"]
    assert poll(database, now=datetime.now(UTC) + timedelta(minutes=1)) == 0
    assert poll(database, now=datetime.now(UTC) + timedelta(minutes=6)) == 1
    assert channel(client, tenant, x["id"])["health"]["state"] == "ok" and count(client, tenant, x["id"]) > 0


def test_malformed_feed_is_reported_and_the_poller_keeps_going(client: TestClient, tenant: Tenant,
                                                               sandbox: RunningSandbox, database: Database) -> None:
    rss = connect(client, tenant, sandbox, "rss", feed_url="broken")
    x = connect(client, tenant, sandbox, "x")
    sandbox.state.feeds["broken"] = {"body": b"<html><body>not a feed", "etag": '"b"', "last_modified": "x"}
    poll(database)
    broken = channel(client, tenant, rss["id"])
    assert broken["health"]["state"] == "failing" and "broken" in broken["last_error"]
    assert channel(client, tenant, x["id"])["health"]["state"] == "ok"
    set_feed(sandbox.state, "broken", [("https://blog.example.jp/fixed", "henshinの新作レビュー")])
    poll(database, now=datetime.now(UTC) + timedelta(hours=2))
    assert channel(client, tenant, rss["id"])["health"]["state"] == "ok" and count(client, tenant, rss["id"]) == 1


def test_expired_token_while_polling_disconnects_and_alerts(client: TestClient, tenant: Tenant,
                                                            sandbox: RunningSandbox, database: Database) -> None:
    sandbox.state.tokens["ig-old"] = "meta"
    sandbox.state.expire_token("ig-old")
    ig = connect(client, tenant, sandbox, "instagram", access_token="ig-old")
    poll(database)
    assert channel(client, tenant, ig["id"])["status"] == "disconnected"
    alerts = client.get("/api/v1/channels/alerts", headers=tenant.headers()).json()
    assert [a["channel_id"] for a in alerts] == [ig["id"]] and "token" in alerts[0]["message"]
    assert poll(database, now=datetime.now(UTC) + timedelta(hours=1)) == 0


def test_a_retired_part_of_an_api_degrades_the_channel_and_alerts_once(
    client: TestClient, tenant: Tenant, sandbox: RunningSandbox, database: Database
) -> None:
    fb = connect(client, tenant, sandbox, "facebook")
    sandbox.state.fb_ratings_retired = True
    try:
        poll(database)
        degraded = channel(client, tenant, fb["id"])
        assert degraded["health"]["state"] == "degraded" and count(client, tenant, fb["id"]) > 0
        assert "reviews are not collected" in degraded["health"]["warnings"][0]
        poll(database, now=datetime.now(UTC) + timedelta(minutes=2))  # still retired: no second alert
        alerts = client.get("/api/v1/channels/alerts", headers=tenant.headers()).json()
        assert [(a["channel_id"], a["kind"]) for a in alerts] == [(fb["id"], "degraded")]
    finally:
        sandbox.state.fb_ratings_retired = False
    poll(database, now=datetime.now(UTC) + timedelta(minutes=4))
    healthy = channel(client, tenant, fb["id"])["health"]
    assert healthy["state"] == "ok" and healthy["warnings"] == []
