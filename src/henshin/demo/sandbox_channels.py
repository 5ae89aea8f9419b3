"""The sandbox networks as henshin channels: credentials and settings for each network,
and signed webhook payloads in each network's documented shape (demo and tests)."""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from typing import Any

from henshin.sandbox.server import RunningSandbox

NETWORKS = ("x", "instagram", "facebook", "line", "rss")
_ids = itertools.count(1)


def sandbox_connection(sandbox: RunningSandbox, network: str, *,
                       poll_interval_seconds: float = 60) -> tuple[dict[str, Any], dict[str, Any]]:
    """(credentials, settings) that connect ``network`` to the running sandbox."""
    s = sandbox.state
    meta = {"access_token": "meta-token", "app_secret": s.meta_app_secret, "verify_token": s.meta_verify_token}
    credentials: dict[str, Any] = {
        "x": {"user_id": s.x_user_id, "username": s.x_username, "access_token": "x-token",
              "client_id": s.x_client_id, "consumer_secret": s.x_consumer_secret, "poll_dms": True},
        "instagram": {**meta, "ig_user_id": s.ig_user_id, "username": s.ig_username},
        "facebook": {**meta, "page_id": s.fb_page_id, "page_name": "henshin tea"},
        "line": {"channel_id": "2000000001", "channel_secret": s.line_channel_secret,
                 "channel_access_token": "line-token", "bot_user_id": s.line_bot_user_id},
        "rss": {"feed_url": "alerts", "name": "Google Alerts: henshin"},
    }[network]
    base = {"x": sandbox.x_url, "instagram": sandbox.graph_url, "facebook": sandbox.graph_url,
            "line": sandbox.line_url, "rss": sandbox.rss_url}[network]
    return credentials, {"base_url": base, "poll_interval_seconds": poll_interval_seconds}


def x_mention_event(sandbox: RunningSandbox, text: str, *, at: datetime, user_id: str = "2000000001",
                    handle: str = "sakura_t", name: str = "佐藤さくら", tweet_id: str | None = None) -> dict[str, Any]:
    """An Account Activity ``tweet_create_events`` delivery: a mention of our account."""
    s = sandbox.state
    tweet_id = tweet_id or s.next_id()
    return {"for_user_id": s.x_user_id, "tweet_create_events": [{
        "created_at": at.strftime("%a %b %d %H:%M:%S +0000 %Y"), "id": int(tweet_id), "id_str": tweet_id,
        "text": f"@{s.x_username} {text}", "timestamp_ms": str(int(at.timestamp() * 1000)),
        "in_reply_to_user_id_str": s.x_user_id, "in_reply_to_screen_name": s.x_username, "lang": "ja",
        "user": {"id": int(user_id), "id_str": user_id, "name": name, "screen_name": handle, "followers_count": 120}}]}


def meta_message_event(sandbox: RunningSandbox, network: str, text: str, *, at: datetime,
                       sender: str = "7000001", mid: str | None = None) -> dict[str, Any]:
    """A Messenger / Instagram ``messaging`` delivery: a customer's DM to the page."""
    s = sandbox.state
    own = s.fb_page_id if network == "facebook" else s.ig_user_id
    ms = int(at.timestamp() * 1000)
    return {"object": "page" if network == "facebook" else "instagram", "entry": [{
        "id": own, "time": ms, "messaging": [{
            "sender": {"id": sender}, "recipient": {"id": own}, "timestamp": ms,
            "message": {"mid": mid or f"m_demo_{next(_ids)}_{ms}", "text": text}}]}]}


def instagram_comment_event(sandbox: RunningSandbox, text: str, *, comment_id: str | None = None,
                            username: str = "hana_cosme") -> dict[str, Any]:
    """An Instagram ``comments`` change on our media."""
    s = sandbox.state
    media = s.ig_media[0]["id"] if s.ig_media else "17900000000000001"
    return {"object": "instagram", "entry": [{"id": s.ig_user_id, "time": int(time.time()), "changes": [{"field": "comments", "value": {
        "from": {"id": "232323232", "username": username}, "media": {"id": media, "media_product_type": "FEED"},
        "id": comment_id or str(18100000000000000 + next(_ids)), "text": text}}]}]}


def line_message_event(sandbox: RunningSandbox, text: str, *, at: datetime, user_id: str | None = None,
                       message_id: str | None = None, reply_token: str | None = None) -> dict[str, Any]:
    """A LINE ``message`` webhook; its reply token is registered with the sandbox."""
    s = sandbox.state
    token = reply_token or f"rt{next(_ids)}x{int(at.timestamp())}"
    s.line_reply_tokens[token] = False
    user = user_id or next(iter(s.line_profiles), "U4af4980629")
    return {"destination": s.line_bot_user_id, "events": [{
        "replyToken": token, "type": "message", "mode": "active", "timestamp": int(at.timestamp() * 1000),
        "source": {"type": "user", "userId": user}, "webhookEventId": f"01DEMO{next(_ids):020d}",
        "deliveryContext": {"isRedelivery": False},
        "message": {"id": message_id or str(600000000000000000 + next(_ids)), "type": "text", "text": text}}]}
