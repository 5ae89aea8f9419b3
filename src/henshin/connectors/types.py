"""Normalized items that cross the boundary between a network and henshin.

An ``InboundEngagement`` is what every connector (and ``POST /api/v1/engagements``)
produces: one comment, reply, DM, mention, story mention, ad comment, review or listening
hit, with enough context to thread it and show it. The raw payload is kept verbatim.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Network(StrEnum):
    X = "x"
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"
    LINKEDIN = "linkedin"
    PINTEREST = "pinterest"
    GOOGLE_BUSINESS = "google_business"
    LINE = "line"
    RSS = "rss"
    BLUESKY = "bluesky"
    MASTODON = "mastodon"
    API = "api"  # custom integrations posting through the engagements API


class EngagementKind(StrEnum):
    COMMENT = "comment"
    REPLY = "reply"
    DM = "dm"
    MENTION = "mention"
    STORY_MENTION = "story_mention"
    AD_COMMENT = "ad_comment"
    REVIEW = "review"
    LISTENING = "listening"


class Direction(StrEnum):
    INBOUND = "inbound"  # a customer wrote it
    OUTBOUND = "outbound"  # our own account wrote it (an echo, or sent outside henshin)


class Author(BaseModel):
    """The person (or page) who wrote an engagement, as the network knows them."""

    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(min_length=1, max_length=255)
    handle: str | None = Field(default=None, max_length=255)
    display_name: str | None = Field(default=None, max_length=255)
    avatar_url: str | None = Field(default=None, max_length=2048)
    profile_url: str | None = Field(default=None, max_length=2048)
    followers: int | None = Field(default=None, ge=0)
    verified: bool = False
    language: str | None = Field(default=None, max_length=16)


class Media(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(default="image", max_length=32)  # image, video, audio, file, sticker, link
    url: str | None = Field(default=None, max_length=2048)
    alt: str | None = Field(default=None, max_length=1000)


class PostContext(BaseModel):
    """The post a comment belongs to (our post, or someone else's for listening)."""

    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(min_length=1, max_length=255)
    text: str | None = Field(default=None, max_length=20000)
    url: str | None = Field(default=None, max_length=2048)
    author_handle: str | None = Field(default=None, max_length=255)
    created_at: datetime | None = None


class Metrics(BaseModel):
    """Reach signals used for flame-risk scoring."""

    model_config = ConfigDict(extra="forbid")

    likes: int = Field(default=0, ge=0)
    replies: int = Field(default=0, ge=0)
    reposts: int = Field(default=0, ge=0)
    quotes: int = Field(default=0, ge=0)


class InboundEngagement(BaseModel):
    """One engagement from a network, normalized. Idempotent on (channel, external_id)."""

    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(min_length=1, max_length=255)
    kind: EngagementKind
    network: Network | None = None  # defaults to the channel's network
    direction: Direction = Direction.INBOUND
    # DMs: the network's conversation id (or the customer's id when the network has none);
    # every message of one conversation lands in one ticket.
    thread_id: str | None = Field(default=None, max_length=255)
    parent_external_id: str | None = Field(default=None, max_length=255)
    post: PostContext | None = None
    author: Author
    text: str = Field(default="", max_length=20000)
    media: list[Media] = Field(default_factory=list, max_length=50)
    language_hint: str | None = Field(default=None, max_length=16)
    rating: int | None = Field(default=None, ge=1, le=5)  # reviews
    metrics: Metrics | None = None
    created_at: datetime
    url: str | None = Field(default=None, max_length=2048)
    # Opaque per-network data the outbound side needs later (LINE reply token, IG media id).
    reply_context: dict[str, Any] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict)

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("created_at must include a timezone (e.g. 2026-11-23T09:00:00+09:00)")
        return value

    @property
    def is_conversation(self) -> bool:
        """DMs thread into one ticket per conversation."""
        return self.kind is EngagementKind.DM


class OutboundKind(StrEnum):
    REPLY = "reply"  # public reply to a comment / mention / review
    PRIVATE_REPLY = "private_reply"  # DM in answer to a public comment
    DM = "dm"  # message in a DM conversation
    HIDE = "hide"
    UNHIDE = "unhide"
    DELETE = "delete"
    LIKE = "like"


class OutboundAction(BaseModel):
    """Something henshin asks a network to do on a channel's behalf."""

    kind: OutboundKind
    idempotency_key: str
    target_external_id: str | None = None  # the engagement answered / hidden / deleted
    thread_id: str | None = None
    recipient_external_id: str | None = None
    text: str = ""
    reply_context: dict[str, Any] = Field(default_factory=dict)


class OutboundResult(BaseModel):
    external_id: str | None = None
    url: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict)
