"""The real connectors over real HTTP against the sandbox networks on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from henshin.connectors.base import deliver_once
from henshin.connectors.errors import AuthExpired, PermanentError, RateLimited, TransientError
from henshin.connectors.facebook.connector import FacebookConnector
from henshin.connectors.instagram.connector import InstagramConnector
from henshin.connectors.line.connector import LineConnector
from henshin.connectors.rss.connector import RssConnector
from henshin.connectors.transport import RetryPolicy
from henshin.connectors.types import EngagementKind, OutboundAction, OutboundKind
from henshin.connectors.x.connector import XConnector
from henshin.sandbox.server import RunningSandbox, start_sandbox
from henshin.sandbox.state import SandboxState
from henshin.sandbox.stream import seed_world

FAST = RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.05, timeout=0.5)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox(seed_world(SandboxState(), seed=3, count=30))
    yield running
    running.stop()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def x(sb: RunningSandbox, **extra: Any) -> XConnector:
    c = XConnector({"user_id": sb.state.x_user_id, "username": sb.state.x_username, "access_token": "x-token",
                    "client_id": sb.state.x_client_id, **extra}, base_url=sb.x_url)
    c.client.retry_policy = FAST
    return c


def test_x_poll_paginates_then_since_id_returns_only_new(sandbox: RunningSandbox) -> None:
    async def go() -> None:
        first = await x(sandbox).poll(None)
        mentions = [i for i in first.items if i.kind in (EngagementKind.MENTION, EngagementKind.REPLY)]
        assert mentions and first.cursor["mentions_since_id"]
        assert first.rate_limit and first.rate_limit.limit == 450
        again = await x(sandbox).poll(first.cursor)
        assert [i for i in again.items if i.kind is not EngagementKind.DM] == []
    run(go())


def test_x_backfill_walks_every_page(sandbox: RunningSandbox) -> None:
    now = datetime.now(UTC)
    items = run(x(sandbox).backfill(now - timedelta(days=2), now))
    handle = f"@{sandbox.state.x_username}"
    expected = [t for t in sandbox.state.tweets if handle in t["text"] or t.get("in_reply_to_user_id")]
    assert len(items) == len(expected) > 10  # more than one page of 10


def test_x_429_is_rate_limited_with_reset(sandbox: RunningSandbox) -> None:
    sandbox.state.fail_next("/x/2/users", 429, reset_in=120)
    with pytest.raises(RateLimited) as info:
        run(x(sandbox, poll_dms=False).poll(None))
    assert info.value.reset_at and info.value.reset_at > datetime.now(UTC) + timedelta(seconds=60)


def test_5xx_is_retried_then_succeeds_and_timeouts_become_transient(sandbox: RunningSandbox) -> None:
    sandbox.state.fail_next("/x/2/users", 503, times=2)
    assert run(x(sandbox, poll_dms=False).poll(None)).items
    sandbox.state.delay_next("/x/2/users", 1.0, times=3)
    with pytest.raises(TransientError, match="timed out"):
        run(x(sandbox, poll_dms=False).poll(None))


def test_expired_tokens_raise_auth_expired_on_every_network(sandbox: RunningSandbox) -> None:
    with pytest.raises(AuthExpired):
        run(XConnector({"user_id": "1", "username": "u", "access_token": "bad"}, base_url=sandbox.x_url).poll(None))
    with pytest.raises(AuthExpired):
        run(InstagramConnector({"ig_user_id": "1", "username": "u", "access_token": "bad", "app_secret": "a",
                                "verify_token": "v"}, base_url=sandbox.graph_url).poll(None))
    with pytest.raises(AuthExpired):
        run(LineConnector({"channel_id": "1", "channel_secret": "s", "channel_access_token": "bad"},
                          base_url=sandbox.line_url).fetch_profile("U1"))


def test_x_reply_lands_once_even_when_retried_after_a_crash(sandbox: RunningSandbox) -> None:
    target = sandbox.state.tweets[3]["id"]
    action = OutboundAction(kind=OutboundKind.REPLY, idempotency_key="k1", target_external_id=target,
                            text="ご不便をおかけしております。DMで詳細を伺えますか？")
    first = run(deliver_once(x(sandbox), action, attempted_before=False))
    second = run(deliver_once(x(sandbox), action, attempted_before=True))
    assert first.external_id == second.external_id
    assert len([o for o in sandbox.state.sent("x", "reply") if o["target"] == target]) == 1


def test_x_dm_hide_delete_land_in_sandbox(sandbox: RunningSandbox) -> None:
    run(x(sandbox).perform(OutboundAction(kind=OutboundKind.DM, idempotency_key="d", recipient_external_id="2000000001", text="hi")))
    run(x(sandbox).perform(OutboundAction(kind=OutboundKind.HIDE, idempotency_key="h", target_external_id="55")))
    run(x(sandbox).perform(OutboundAction(kind=OutboundKind.DELETE, idempotency_key="x", target_external_id="56")))
    assert [o["action"] for o in sandbox.state.sent("x")][-3:] == ["dm", "hide", "delete"]


def test_x_oauth_pkce_round_trip(sandbox: RunningSandbox) -> None:
    import base64
    import hashlib

    import httpx
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    c = x(sandbox)
    url = c.authorize_url("st", "http://127.0.0.1/cb", code_challenge=challenge)
    code = httpx.get(url).headers["location"].split("code=")[1]
    creds = run(c.exchange_code(code, "http://127.0.0.1/cb", code_verifier=verifier))
    assert sandbox.state.token_ok(creds["access_token"], "x")


def meta_cfg(sb: RunningSandbox) -> dict[str, Any]:
    return {"access_token": "meta-token", "app_secret": sb.state.meta_app_secret,
            "verify_token": sb.state.meta_verify_token}


def test_instagram_and_facebook_poll_comments_ads_and_reviews(sandbox: RunningSandbox) -> None:
    def ig() -> InstagramConnector:
        return InstagramConnector({**meta_cfg(sandbox), "ig_user_id": sandbox.state.ig_user_id,
                                   "username": sandbox.state.ig_username}, base_url=sandbox.graph_url)
    result = run(ig().poll(None))
    assert len(result.items) == 30 and run(ig().poll(result.cursor)).items == []
    kinds = {i.kind for i in run(fb(sandbox).poll(None)).items}
    assert {EngagementKind.COMMENT, EngagementKind.AD_COMMENT, EngagementKind.REVIEW} <= kinds


def test_facebook_polls_comments_when_graph_has_retired_page_reviews(sandbox: RunningSandbox) -> None:
    sandbox.state.fb_ratings_retired = True  # Graph v22.0+, and v21.0 once it expires
    try:
        result = run(fb(sandbox).poll(None))
    finally:
        sandbox.state.fb_ratings_retired = False
    kinds = {i.kind for i in result.items}
    assert {EngagementKind.COMMENT, EngagementKind.AD_COMMENT} <= kinds and EngagementKind.REVIEW not in kinds
    assert len(result.warnings) == 1 and "reviews are not collected" in result.warnings[0]
    assert "(#12)" in result.warnings[0]


def test_messenger_window_refuses_a_late_dm_with_an_explanation(sandbox: RunningSandbox) -> None:
    late = (datetime.now(UTC) - timedelta(hours=30)).isoformat()
    action = OutboundAction(kind=OutboundKind.DM, idempotency_key="w", recipient_external_id="7000001", text="hi",
                            reply_context={"last_customer_message_at": late})
    with pytest.raises(PermanentError, match="24-hour"):
        run(fb(sandbox).perform(action))
    fresh = action.model_copy(update={"reply_context": {"last_customer_message_at": datetime.now(UTC).isoformat()}})
    assert run(fb(sandbox).perform(fresh)).external_id
    run(fb(sandbox).perform(OutboundAction(kind=OutboundKind.HIDE, idempotency_key="h", target_external_id="c1")))
    assert sandbox.state.sent("meta", "hide")[-1]["target"] == "c1"


def fb(sb: RunningSandbox) -> FacebookConnector:
    return FacebookConnector({**meta_cfg(sb), "page_id": sb.state.fb_page_id}, base_url=sb.graph_url)


def line(sb: RunningSandbox) -> LineConnector:
    return LineConnector({"channel_id": "1", "channel_secret": sb.state.line_channel_secret,
                          "channel_access_token": "line-token"}, base_url=sb.line_url)


def test_line_replies_with_fresh_token_and_pushes_once_when_expired(sandbox: RunningSandbox) -> None:
    sandbox.state.line_reply_tokens["tok1"] = False
    now = datetime.now(UTC)
    ctx = {"reply_token": "tok1", "received_at": now.isoformat(), "to": "U1"}
    fresh = OutboundAction(kind=OutboundKind.DM, idempotency_key="l1", text="はい", reply_context=ctx)
    assert run(line(sandbox).perform(fresh)).raw["via"] == "reply"
    stale = OutboundAction(kind=OutboundKind.DM, idempotency_key="l2", text="遅くなりました",
                           reply_context={**ctx, "received_at": (now - timedelta(minutes=5)).isoformat()})
    first = run(line(sandbox).perform(stale))
    again = run(line(sandbox).perform(stale))
    assert first.raw["via"] == "push" and again.raw["already_accepted"] is True
    assert len([p for p in sandbox.state.sent("line", "push") if p["text"] == "遅くなりました"]) == 1


def test_line_profile_lookup(sandbox: RunningSandbox) -> None:
    profile = run(line(sandbox).fetch_profile(next(iter(sandbox.state.line_profiles))))
    assert profile.display_name and profile.language == "ja"


def test_rss_conditional_get_returns_nothing_on_304(sandbox: RunningSandbox) -> None:
    def rss() -> RssConnector:
        return RssConnector({"feed_url": "alerts"}, base_url=sandbox.rss_url)
    first = run(rss().poll(None))
    assert len(first.items) == 5 and first.items[0].url.startswith("https://blog.example.jp/")
    second = run(rss().poll(first.cursor))
    assert second.items == [] and ("GET", "/rss/alerts") in sandbox.state.calls
