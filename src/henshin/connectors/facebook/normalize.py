"""Facebook Page webhook changes and Graph API objects → engagements."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from henshin.connectors.errors import MalformedPayload
from henshin.connectors.meta.messaging import messaging_events
from henshin.connectors.types import (
    Author,
    Direction,
    EngagementKind,
    InboundEngagement,
    Network,
    PostContext,
)

# feed items that are not customer text (likes, shares, our own status updates…)
IGNORED_FEED_ITEMS = frozenset({"reaction", "like", "share", "status", "post", "photo", "video", "album",
                                "event", "coupon", "milestone"})


def _time(value: Any) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00").replace("+0000", "+00:00"))


def is_ad_post(post: dict[str, Any]) -> bool:
    """Ads run on unpublished ("dark") posts or boosted posts (``promotion_status`` active)."""
    return post.get("is_published") is False or post.get("promotion_status") == "active"


def comment(data: dict[str, Any], *, page_id: str, post: dict[str, Any] | None = None,
            created: Any = None) -> InboundEngagement:
    """A comment from ``/{post-id}/comments`` or a ``feed`` change with ``item=comment``."""
    sender = data.get("from") or {}
    post = post or data.get("post") or {}
    post_id = str(data.get("post_id") or post.get("id") or "")
    parent = data.get("parent_id") or (data.get("parent") or {}).get("id")
    if parent == post_id:
        parent = None  # a top-level comment's parent_id is the post itself
    kind = EngagementKind.AD_COMMENT if is_ad_post(post) else (
        EngagementKind.REPLY if parent else EngagementKind.COMMENT)
    author_id = str(sender.get("id") or "unknown")
    created_at = _time(data.get("created_time") or created)
    return InboundEngagement(
        external_id=str(data.get("comment_id") or data["id"]), kind=kind, network=Network.FACEBOOK,
        direction=Direction.OUTBOUND if author_id == page_id else Direction.INBOUND,
        parent_external_id=parent,
        post=PostContext(external_id=post_id, text=post.get("message"),
                         url=post.get("permalink_url")) if post_id else None,
        author=Author(external_id=author_id, display_name=sender.get("name")),
        text=data.get("message", ""), created_at=created_at, url=data.get("permalink_url"),
        # A private reply is allowed within 7 days of the comment (Meta docs).
        reply_context={"commented_at": created_at.isoformat()}, raw=dict(data),
    )


def rating(data: dict[str, Any], *, created: Any = None) -> InboundEngagement:
    """A page recommendation (``recommendation_type`` positive/negative; old 1–5 ``rating``)."""
    reviewer = data.get("reviewer") or {"id": data.get("reviewer_id"), "name": data.get("reviewer_name")}
    story = data.get("open_graph_story") or {}
    story_id = str(story.get("id") or data.get("open_graph_story_id") or "")
    if not story_id or not reviewer.get("id"):
        raise MalformedPayload("Facebook rating without open_graph_story id or reviewer")
    stars = data.get("rating")
    if stars is None and data.get("recommendation_type"):
        stars = 5 if data["recommendation_type"] == "positive" else 1
    return InboundEngagement(
        external_id=story_id, kind=EngagementKind.REVIEW, network=Network.FACEBOOK,
        author=Author(external_id=str(reviewer["id"]), display_name=reviewer.get("name")),
        text=data.get("review_text", ""), rating=stars,
        created_at=_time(data.get("created_time") or created),
        reply_context={"recommendation_type": data.get("recommendation_type"),
                       "reply_target": story_id}, raw=dict(data),
    )


def webhook_entry(entry: dict[str, Any], *, page_id: str) -> list[InboundEngagement]:
    """One ``entry`` of an ``object=page`` delivery: messaging, feed and ratings changes."""
    items = messaging_events(entry, Network.FACEBOOK)
    for change in entry.get("changes") or []:
        field, value = change.get("field"), change.get("value") or {}
        try:
            if field == "feed":
                if value.get("item") == "comment" and value.get("verb") in ("add", "edited"):
                    items.append(comment(value, page_id=page_id, created=entry.get("time")))
                elif value.get("item") == "comment" or value.get("item") in IGNORED_FEED_ITEMS:
                    continue  # removals, hides, reactions: no new customer text
                else:
                    raise MalformedPayload(f"Facebook feed item {value.get('item')!r} is not handled")
            elif field == "ratings":
                if value.get("verb") in ("add", "edit", "edited") and value.get("item") == "rating":
                    items.append(rating(value, created=entry.get("time")))
            else:
                raise MalformedPayload(f"Facebook webhook field {field!r} is not handled by henshin")
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedPayload(f"Facebook {field} change missing {exc}") from exc
    return items
