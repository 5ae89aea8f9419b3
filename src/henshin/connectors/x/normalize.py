"""X payloads (API v2 responses and Account Activity v1.1 events) → engagements."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from henshin.connectors.errors import MalformedPayload
from henshin.connectors.types import (
    Author,
    Direction,
    EngagementKind,
    InboundEngagement,
    Metrics,
    Network,
    PostContext,
)

TWEET_URL = "https://x.com/{username}/status/{id}"
# Account Activity event lists henshin knows and deliberately does not turn into tickets.
IGNORED_ACTIVITY = frozenset({
    "favorite_events", "follow_events", "unfollow_events", "block_events", "unblock_events",
    "mute_events", "unmute_events", "direct_message_indicate_typing_events",
    "direct_message_mark_read_events", "tweet_delete_events", "user_event",
})


def parse_time(value: str) -> datetime:
    """ISO 8601 (v2) or RFC 2822-ish ``Wed Oct 10 20:19:24 +0000 2018`` (v1.1)."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        return parsedate_to_datetime(value)


def v2_author(user: Mapping[str, Any] | None, fallback_id: str) -> Author:
    if not user:
        return Author(external_id=fallback_id)
    metrics = user.get("public_metrics") or {}
    return Author(
        external_id=str(user["id"]), handle=user.get("username"), display_name=user.get("name"),
        avatar_url=user.get("profile_image_url"),
        profile_url=f"https://x.com/{user['username']}" if user.get("username") else None,
        followers=metrics.get("followers_count"), verified=bool(user.get("verified")),
    )


def v2_tweets(payload: Mapping[str, Any], *, own_user_id: str,
              listening: bool = False) -> list[InboundEngagement]:
    """Tweets from a v2 timeline/search response with ``expansions=author_id,referenced_tweets.id``."""
    includes = payload.get("includes") or {}
    users = {str(u["id"]): u for u in includes.get("users", [])}
    referenced = {str(t["id"]): t for t in includes.get("tweets", [])}
    items = []
    for tweet in payload.get("data") or []:
        try:
            items.append(_v2_tweet(tweet, users, referenced, own_user_id, listening))
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedPayload(f"X tweet without {exc}: {json.dumps(tweet)[:300]}") from exc
    return items


def _v2_tweet(tweet: Mapping[str, Any], users: Mapping[str, Any], referenced: Mapping[str, Any],
              own_user_id: str, listening: bool) -> InboundEngagement:
    author_id = str(tweet["author_id"])
    user = users.get(author_id)
    refs = {r["type"]: str(r["id"]) for r in tweet.get("referenced_tweets") or []}
    parent_id = refs.get("replied_to")
    context_id = parent_id or refs.get("quoted")
    post = None
    if context_id:
        ref = referenced.get(context_id) or {}
        ref_user = users.get(str(ref.get("author_id"))) or {}
        post = PostContext(
            external_id=context_id, text=ref.get("text"),
            author_handle=ref_user.get("username"),
            created_at=parse_time(ref["created_at"]) if ref.get("created_at") else None,
        )
    if listening:
        kind = EngagementKind.LISTENING
    elif parent_id and str(tweet.get("in_reply_to_user_id")) == own_user_id:
        kind = EngagementKind.REPLY
    else:
        kind = EngagementKind.MENTION
    metrics = tweet.get("public_metrics") or {}
    username = (user or {}).get("username", "i")
    return InboundEngagement(
        external_id=str(tweet["id"]), kind=kind, network=Network.X,
        direction=Direction.OUTBOUND if author_id == own_user_id else Direction.INBOUND,
        thread_id=tweet.get("conversation_id"), parent_external_id=parent_id, post=post,
        author=v2_author(user, author_id), text=tweet["text"], language_hint=tweet.get("lang"),
        metrics=Metrics(likes=metrics.get("like_count", 0), replies=metrics.get("reply_count", 0),
                        reposts=metrics.get("retweet_count", 0), quotes=metrics.get("quote_count", 0)),
        created_at=parse_time(tweet["created_at"]),
        url=TWEET_URL.format(username=username, id=tweet["id"]),
        raw=dict(tweet),
    )


def v2_dm_events(payload: Mapping[str, Any], *, own_user_id: str) -> list[InboundEngagement]:
    """``GET /2/dm_events`` (``event_types=MessageCreate``, ``expansions=sender_id``)."""
    users = {str(u["id"]): u for u in (payload.get("includes") or {}).get("users", [])}
    items = []
    for event in payload.get("data") or []:
        if event.get("event_type") != "MessageCreate":
            continue  # ParticipantsJoin / ParticipantsLeave carry no message
        try:
            sender = str(event["sender_id"])
            items.append(InboundEngagement(
                external_id=str(event["id"]), kind=EngagementKind.DM, network=Network.X,
                direction=Direction.OUTBOUND if sender == own_user_id else Direction.INBOUND,
                thread_id=event["dm_conversation_id"], author=v2_author(users.get(sender), sender),
                text=event.get("text", ""), created_at=parse_time(event["created_at"]),
                reply_context={"participant_id": sender}, raw=dict(event),
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedPayload(f"X DM event without {exc}: {json.dumps(event)[:300]}") from exc
    return items


def _v1_user(user: Mapping[str, Any]) -> Author:
    return Author(
        external_id=str(user.get("id_str") or user["id"]), handle=user.get("screen_name"), display_name=user.get("name"),
        avatar_url=user.get("profile_image_url_https"),
        profile_url=f"https://x.com/{user['screen_name']}" if user.get("screen_name") else None,
        followers=user.get("followers_count"), verified=bool(user.get("verified")),
    )


def activity_events(payload: Mapping[str, Any]) -> list[InboundEngagement]:
    """One Account Activity API delivery (``for_user_id`` + ``*_events`` lists)."""
    own = payload.get("for_user_id")
    if not own:
        raise MalformedPayload("X Account Activity delivery without for_user_id")
    own = str(own)
    unknown = [k for k in payload if k.endswith("_events") and k not in IGNORED_ACTIVITY
               and k not in ("tweet_create_events", "direct_message_events")]
    if unknown:
        raise MalformedPayload(f"X Account Activity event types not understood: {', '.join(unknown)}")
    items: list[InboundEngagement] = []
    try:
        items.extend(_v1_tweet(tweet, own) for tweet in payload.get("tweet_create_events", []))
        users = payload.get("users") or {}
        for event in payload.get("direct_message_events", []):
            if event.get("type") != "message_create":
                continue
            items.append(_v1_dm(event, own, users))
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedPayload(f"X Account Activity event missing {exc}") from exc
    return items


def _v1_tweet(tweet: Mapping[str, Any], own: str) -> InboundEngagement:
    user = tweet["user"]
    parent = tweet.get("in_reply_to_status_id_str")
    text = (tweet.get("extended_tweet") or {}).get("full_text") or tweet.get("text", "")
    quoted = tweet.get("quoted_status")
    post = None
    if parent:
        post = PostContext(external_id=parent, author_handle=tweet.get("in_reply_to_screen_name"))
    elif quoted:
        post = PostContext(external_id=quoted["id_str"], text=quoted.get("text"),
                           author_handle=(quoted.get("user") or {}).get("screen_name"))
    kind = EngagementKind.REPLY if parent and tweet.get("in_reply_to_user_id_str") == own \
        else EngagementKind.MENTION
    created = (datetime.fromtimestamp(int(tweet["timestamp_ms"]) / 1000, tz=UTC)
               if tweet.get("timestamp_ms") else parse_time(tweet["created_at"]))
    return InboundEngagement(
        external_id=tweet["id_str"], kind=kind, network=Network.X,
        direction=Direction.OUTBOUND if str(user["id_str"]) == own else Direction.INBOUND,
        parent_external_id=parent, post=post, author=_v1_user(user), text=text,
        language_hint=tweet.get("lang"), created_at=created,
        url=TWEET_URL.format(username=user.get("screen_name", "i"), id=tweet["id_str"]),
        metrics=Metrics(likes=tweet.get("favorite_count", 0), replies=tweet.get("reply_count", 0),
                        reposts=tweet.get("retweet_count", 0), quotes=tweet.get("quote_count", 0)),
        raw=dict(tweet),
    )


def _v1_dm(event: Mapping[str, Any], own: str, users: Mapping[str, Any]) -> InboundEngagement:
    create = event["message_create"]
    sender = str(create["sender_id"])
    recipient = str(create["target"]["recipient_id"])
    other = recipient if sender == own else sender
    user = users.get(sender)
    return InboundEngagement(
        external_id=str(event["id"]), kind=EngagementKind.DM, network=Network.X,
        direction=Direction.OUTBOUND if sender == own else Direction.INBOUND,
        # v2 conversation ids for one-to-one DMs are "<smaller id>-<larger id>".
        thread_id="-".join(sorted((own, other), key=int)),
        author=_v1_user(user) if user else Author(external_id=sender),
        text=create["message_data"].get("text", ""),
        created_at=datetime.fromtimestamp(int(event["created_timestamp"]) / 1000, tz=UTC),
        reply_context={"participant_id": other}, raw=dict(event),
    )
