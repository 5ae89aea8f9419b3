"""Facebook and Instagram against the sandbox Graph API, on the points Meta's docs fix:
the Send API lives on the page, private replies close 7 days after the comment, the
24-hour window and the HUMAN_AGENT tag, and business-use-case throttling."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from henshin.connectors.errors import PermanentError, RateLimited
from henshin.connectors.facebook.connector import FacebookConnector
from henshin.connectors.instagram.connector import InstagramConnector
from henshin.connectors.meta.graph import GraphClient
from henshin.connectors.transport import RetryPolicy
from henshin.connectors.types import OutboundAction, OutboundKind
from henshin.sandbox.pusher import signed_delivery
from henshin.sandbox.server import RunningSandbox, start_sandbox
from henshin.sandbox.state import SandboxState
from henshin.sandbox.stream import seed_world

FAST = RetryPolicy(attempts=1, initial_wait=0.01, max_wait=0.01, timeout=2)


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox(seed_world(SandboxState(), seed=3, count=8))
    yield running
    running.stop()


def meta(sb: RunningSandbox, **extra: Any) -> dict[str, Any]:
    return {"access_token": "meta-token", "app_secret": sb.state.meta_app_secret,
            "verify_token": sb.state.meta_verify_token, **extra}


def ig(sb: RunningSandbox, **extra: Any) -> InstagramConnector:
    c = InstagramConnector(meta(sb, ig_user_id=sb.state.ig_user_id, username=sb.state.ig_username, **extra),
                           base_url=sb.graph_url)
    c.graph.retry_policy = FAST
    return c


def fb(sb: RunningSandbox, **extra: Any) -> FacebookConnector:
    c = FacebookConnector(meta(sb, page_id=sb.state.fb_page_id, **extra), base_url=sb.graph_url)
    c.graph.retry_policy = FAST
    return c


def customer_writes(sb: RunningSandbox, sender: str, at: datetime) -> dict[str, Any]:
    """A Messenger delivery as Meta sends it; returns the DM's reply context."""
    ms = int(at.timestamp() * 1000)
    payload = {"object": "page", "entry": [{"id": sb.state.fb_page_id, "time": ms, "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": sb.state.fb_page_id}, "timestamp": ms,
        "message": {"mid": f"m_{sender}_{ms}", "text": "返品について相談したいです"}}]}]}
    body, headers = signed_delivery(sb.state, "meta", payload)
    [dm] = fb(sb).parse_webhook(headers, body)
    return dm.reply_context


def test_instagram_messages_go_through_the_pages_send_api(sandbox: RunningSandbox) -> None:
    comment = sandbox.state.ig_comments["17900000000000001"][-1]
    action = OutboundAction(kind=OutboundKind.PRIVATE_REPLY, idempotency_key="p", target_external_id=comment["id"],
                            text="詳細をDMでお送りしました", reply_context={"commented_at": comment["timestamp"]})
    assert asyncio.run(ig(sandbox).perform(action)).external_id
    assert sandbox.state.sent("meta", "private_reply")[-1]["sender"] == "me"
    # The IG user node has no messages edge on graph.facebook.com: Graph refuses it (code 100).
    graph = GraphClient(sandbox.graph_url, "meta-token", retry_policy=FAST)
    with pytest.raises(PermanentError) as refused:
        asyncio.run(graph.post_json(f"/{sandbox.state.ig_user_id}/messages",
                                    json={"recipient": {"comment_id": comment["id"]}, "message": {"text": "x"}}))
    assert refused.value.code == 100


def test_private_reply_closes_seven_days_after_the_comment(sandbox: RunningSandbox) -> None:
    webhook = (b'{"object": "instagram", "entry": [{"id": "17841400000000001", "time": 1763600000, "changes": ['
               b'{"field": "comments", "value": {"from": {"id": "232323232", "username": "hana_cosme"}, '
               b'"media": {"id": "17900000000000001", "media_product_type": "FEED"}, '
               b'"id": "17865799348089039", "text": "\\u5728\\u5eab\\u3042\\u308a\\u307e\\u3059\\u304b"}}]}]}')
    [comment] = ig(sandbox).parse_webhook({}, webhook)
    assert comment.reply_context["commented_at"].startswith("2025-11-20")
    late = OutboundAction(kind=OutboundKind.PRIVATE_REPLY, idempotency_key="late", target_external_id=comment.external_id,
                          text="DMで失礼します", reply_context=comment.reply_context)
    with pytest.raises(PermanentError, match="within 7 days of the comment"):
        asyncio.run(ig(sandbox).perform(late, now=datetime(2025, 11, 28, tzinfo=UTC)))
    assert sandbox.state.sent("meta", "private_reply") == []
    # The sandbox enforces the same rule on a comment it holds that is 8 days old.
    old = {"id": "18999", "text": "まだですか", "timestamp": (datetime.now(UTC) - timedelta(days=8)).isoformat(),
           "from": {"id": "3001", "username": "yuki0101"}}
    sandbox.state.ig_comments["17900000000000001"].append(old)
    unchecked = late.model_copy(update={"target_external_id": "18999", "reply_context": {}})
    with pytest.raises(PermanentError) as refused:
        asyncio.run(ig(sandbox).perform(unchecked))
    assert refused.value.code == 10 and "outside of allowed window" in refused.value.network_message


def test_human_agent_tag_answers_after_24_hours_when_the_channel_allows_it(sandbox: RunningSandbox) -> None:
    context = customer_writes(sandbox, "7000042", datetime.now(UTC) - timedelta(hours=30))
    action = OutboundAction(kind=OutboundKind.DM, idempotency_key="h", recipient_external_id="7000042",
                            text="お待たせしました。返品を承ります。", reply_context=context)
    with pytest.raises(PermanentError, match="24-hour messaging window"):
        asyncio.run(fb(sandbox).perform(action))
    assert asyncio.run(fb(sandbox, human_agent_tag=True).perform(action)).external_id
    sent = sandbox.state.sent("meta", "dm")[-1]
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_the_sandbox_send_api_refuses_a_response_after_the_window(sandbox: RunningSandbox) -> None:
    customer_writes(sandbox, "7000043", datetime.now(UTC) - timedelta(hours=25))
    stale = OutboundAction(kind=OutboundKind.DM, idempotency_key="s", recipient_external_id="7000043", text="hi",
                           reply_context={"last_customer_message_at": datetime.now(UTC).isoformat()})
    with pytest.raises(PermanentError) as refused:  # our side thought the window open; Meta knows better
        asyncio.run(fb(sandbox).perform(stale))
    assert (refused.value.code, refused.value.status_code) == (10, 400)


def test_throttling_is_business_use_case_with_minutes_to_regain_access(sandbox: RunningSandbox) -> None:
    sandbox.state.fail_next(f"/graph/v21.0/{sandbox.state.fb_page_id}", 429, reset_in=300)
    page = fb(sandbox)
    with pytest.raises(RateLimited) as limited:
        asyncio.run(page.poll(None))
    assert limited.value.code == 80001 and limited.value.wait_seconds() == 300
    assert page.graph.rate_limit and page.graph.rate_limit.remaining == 0 and page.graph.rate_limit.reset_at
    sandbox.state.fail_next(f"/graph/v21.0/{sandbox.state.ig_user_id}", 429, reset_in=60)
    with pytest.raises(RateLimited) as limited:
        asyncio.run(ig(sandbox).poll(None))
    assert limited.value.code == 80002 and limited.value.wait_seconds() == 60
