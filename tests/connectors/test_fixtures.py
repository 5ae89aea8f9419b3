"""Every network fixture parses into the engagements it describes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from henshin.connectors import registry
from henshin.connectors.errors import MalformedPayload, SignatureInvalid
from henshin.connectors.rss.parse import parse_feed
from henshin.connectors.signing import line_signature, meta_signature, x_signature
from henshin.connectors.types import Direction, EngagementKind, Network

ROOT = Path(__file__).resolve().parents[2] / "src" / "henshin" / "connectors"
X_CFG = {"user_id": "1000000000000000001", "username": "henshin_books", "access_token": "t", "consumer_secret": "cs"}
META = {"access_token": "t", "app_secret": "as", "verify_token": "vt"}
IG_CFG = {**META, "ig_user_id": "17841400000000001", "username": "henshin_tea"}
FB_CFG = {**META, "page_id": "100000000000001"}
LINE_CFG = {"channel_id": "1", "channel_secret": "ls", "channel_access_token": "t"}


def fixture(network: str, name: str) -> bytes:
    return (ROOT / network / "fixtures" / f"{name}.json").read_bytes()


def connector(network: Network, cfg: dict[str, Any]) -> Any:
    return registry.get(network)(cfg, base_url="http://127.0.0.1:9")


def test_x_mention_reply_keeps_post_context_and_author() -> None:
    [item] = connector(Network.X, X_CFG).parse_webhook({}, fixture("x", "tweet_create_events"))
    assert item.kind is EngagementKind.REPLY and item.external_id == "1050118621198921728"
    assert item.author.handle == "sakura_t" and item.post and item.post.external_id == "1050118000000000000"
    assert item.created_at.year == 2018 and item.language_hint == "ja"


def test_x_dm_threads_by_conversation_id() -> None:
    [item] = connector(Network.X, X_CFG).parse_webhook({}, fixture("x", "direct_message_events"))
    assert item.kind is EngagementKind.DM and item.thread_id == "2000000002-1000000000000000001"
    assert item.author.handle == "kenji_m" and item.reply_context["participant_id"] == "2000000002"


def test_instagram_comment_and_story_mention() -> None:
    ig = connector(Network.INSTAGRAM, IG_CFG)
    [comment] = ig.parse_webhook({}, fixture("instagram", "comments"))
    assert comment.kind is EngagementKind.COMMENT and comment.author.handle == "hana_cosme"
    assert comment.post and comment.post.external_id == "17900000000000001"
    [story] = ig.parse_webhook({}, fixture("instagram", "story_mention"))
    assert story.kind is EngagementKind.STORY_MENTION and story.media[0].type == "story"


def test_facebook_comment_rating_and_message() -> None:
    fb = connector(Network.FACEBOOK, FB_CFG)
    [comment] = fb.parse_webhook({}, fixture("facebook", "feed_comment"))
    assert comment.kind is EngagementKind.COMMENT and comment.parent_external_id is None
    assert comment.external_id == "1_2001"
    [review] = fb.parse_webhook({}, fixture("facebook", "ratings"))
    assert review.kind is EngagementKind.REVIEW and review.rating == 1 and review.external_id == "6000001"
    [dm] = fb.parse_webhook({}, fixture("facebook", "messages"))
    assert dm.kind is EngagementKind.DM and dm.thread_id == "7000001" and dm.direction is Direction.INBOUND


def test_facebook_comment_on_dark_post_is_an_ad_comment() -> None:
    payload = json.loads(fixture("facebook", "feed_comment"))
    payload["entry"][0]["changes"][0]["value"]["post"]["is_published"] = False
    [item] = connector(Network.FACEBOOK, FB_CFG).parse_webhook({}, json.dumps(payload).encode())
    assert item.kind is EngagementKind.AD_COMMENT


def test_line_message_and_follow_carry_reply_tokens_unfollow_yields_nothing() -> None:
    line = connector(Network.LINE, LINE_CFG)
    [msg] = line.parse_webhook({}, fixture("line", "message"))
    assert msg.text == "今日の営業時間は？" and msg.reply_context["reply_token"] == "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA"
    items = line.parse_webhook({}, fixture("line", "follow_unfollow"))
    assert [i.reply_context["event"] for i in items] == ["follow"]


def test_google_alerts_atom_unwraps_links() -> None:
    data = json.loads(fixture("rss", "google_alerts"))
    [item] = parse_feed(data["atom"].encode(), feed_url=data["feed_url"])
    assert item.kind is EngagementKind.LISTENING and item.url == "https://blog.example.jp/cafe"
    assert "カフェ" in item.text and "<b>" not in item.text


@pytest.mark.parametrize("body", [b"<html><body>nope", b"<html><body>not a feed</body></html>"])
def test_malformed_feed_is_a_typed_error(body: bytes) -> None:
    with pytest.raises(MalformedPayload, match="feed"):
        parse_feed(body, feed_url="https://example.com/f")


def test_unknown_webhook_shapes_are_surfaced_not_dropped() -> None:
    with pytest.raises(MalformedPayload):
        connector(Network.X, X_CFG).parse_webhook({}, b'{"for_user_id": "1", "mystery_events": []}')
    with pytest.raises(MalformedPayload):
        connector(Network.INSTAGRAM, IG_CFG).parse_webhook({}, b'{"object": "page", "entry": []}')
    with pytest.raises(MalformedPayload):
        connector(Network.LINE, LINE_CFG).parse_webhook({}, b"not json")


def test_signatures_valid_accepted_forged_and_missing_rejected() -> None:
    body = b'{"a": 1}'
    cases = [(Network.X, X_CFG, "x-twitter-webhooks-signature", x_signature("cs", body)),
             (Network.INSTAGRAM, IG_CFG, "X-Hub-Signature-256", meta_signature("as", body)),
             (Network.FACEBOOK, FB_CFG, "X-Hub-Signature-256", meta_signature("as", body)),
             (Network.LINE, LINE_CFG, "x-line-signature", line_signature("ls", body))]
    for network, cfg, header, good in cases:
        c = connector(network, cfg)
        c.verify_webhook({header: good}, body)
        with pytest.raises(SignatureInvalid):
            c.verify_webhook({header: good}, body + b" ")
        with pytest.raises(SignatureInvalid, match="missing"):
            c.verify_webhook({}, body)


def test_x_crc_and_meta_hub_challenge() -> None:
    crc = connector(Network.X, X_CFG).webhook_challenge("GET", {"crc_token": "abc"}, {}, b"")
    assert crc and json.loads(crc.body) == {"response_token": x_signature("cs", b"abc")}
    ig = connector(Network.INSTAGRAM, IG_CFG)
    ok = ig.webhook_challenge("GET", {"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "42"}, {}, b"")
    assert ok and ok.body == "42" and ok.status_code == 200
    bad = ig.webhook_challenge("GET", {"hub.mode": "subscribe", "hub.verify_token": "no", "hub.challenge": "42"}, {}, b"")
    assert bad and bad.status_code == 403
    assert ig.webhook_challenge("POST", {}, {}, b"{}") is None


def test_registry_lists_each_network_once() -> None:
    networks = [c.network for c in registry.all()]
    assert sorted(networks) == sorted({Network.X, Network.INSTAGRAM, Network.FACEBOOK, Network.LINE, Network.RSS})
    with pytest.raises(KeyError, match="registered"):
        registry.get(Network.TIKTOK)
