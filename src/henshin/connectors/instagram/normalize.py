"""Instagram webhook changes and Graph API comments → engagements."""

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

HANDLED_FIELDS = frozenset({"comments", "live_comments", "mentions"})


def _time(value: Any) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00").replace("+0000", "+00:00"))


def comment(data: dict[str, Any], *, own_id: str, own_username: str, media: dict[str, Any] | None = None,
            created: Any = None) -> InboundEngagement:
    """A comment from the Graph API (``/{media-id}/comments``) or a ``comments`` change."""
    sender = data.get("from") or {}
    username = sender.get("username") or data.get("username")
    media = media or data.get("media") or {}
    parent = (data.get("parent_id") or (data.get("parent") or {}).get("id"))
    author_id = str(sender.get("id") or username or "unknown")
    created_at = _time(data.get("timestamp") or created)
    # commented_at: a private reply is allowed within 7 days of the comment (Meta docs).
    context = {"commented_at": created_at.isoformat()}
    if media.get("id"):
        context["media_id"] = media["id"]
    return InboundEngagement(
        external_id=str(data["id"]), kind=EngagementKind.REPLY if parent else EngagementKind.COMMENT,
        network=Network.INSTAGRAM,
        direction=Direction.OUTBOUND if author_id == own_id or username == own_username else Direction.INBOUND,
        parent_external_id=parent,
        post=PostContext(external_id=str(media["id"]), text=media.get("caption"),
                         url=media.get("permalink"), author_handle=own_username) if media.get("id") else None,
        author=Author(external_id=author_id, handle=username,
                      profile_url=f"https://www.instagram.com/{username}/" if username else None),
        text=data.get("text", ""), created_at=created_at, reply_context=context, raw=dict(data),
    )


def webhook_entry(entry: dict[str, Any], *, own_id: str, own_username: str) -> list[InboundEngagement]:
    """One ``entry`` of an ``object=instagram`` delivery."""
    items = messaging_events(entry, Network.INSTAGRAM)
    for change in entry.get("changes") or []:
        field, value = change.get("field"), change.get("value") or {}
        if field not in HANDLED_FIELDS:
            raise MalformedPayload(f"Instagram webhook field {field!r} is not handled by henshin")
        try:
            if field == "mentions":
                # The change carries ids only; the poller hydrates the text via
                # GET /{ig-user-id}?fields=mentioned_comment.comment_id(...) or mentioned_media.
                target = value.get("comment_id") or value["media_id"]
                items.append(InboundEngagement(
                    external_id=str(target), kind=EngagementKind.MENTION, network=Network.INSTAGRAM,
                    author=Author(external_id="unknown"), text="",
                    created_at=_time(entry.get("time")),
                    reply_context={"media_id": value.get("media_id"), "comment_id": value.get("comment_id"),
                                   "needs_hydration": True}, raw=dict(change)))
            else:
                items.append(comment(value, own_id=own_id, own_username=own_username,
                                     created=entry.get("time")))
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedPayload(f"Instagram {field} change missing {exc}") from exc
    return items
