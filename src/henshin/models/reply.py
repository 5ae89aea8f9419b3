"""Saved replies (templates), per-agent drafts and the record of overridden guards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base, JSONType
from henshin.kit.time import utc_now


class SavedReply(Base):
    """A reply template with ``{variables}``; shared (no owner) or personal to one agent."""

    __tablename__ = "saved_replies"
    __table_args__ = (
        Index("ix_saved_replies_ws", "workspace_id", "owner_user_id", "title"),
        Index("ix_saved_replies_shortcut", "workspace_id", "shortcut"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # None: shared with the whole workspace; a user id: that agent's personal reply.
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    shortcut: Mapped[str | None] = mapped_column(String(64), default=None)
    language: Mapped[str | None] = mapped_column(String(16), default=None)  # None: any
    network: Mapped[str | None] = mapped_column(String(32), default=None)  # None: any
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Folded (NFKC, width, kana, case) title, body, tags and shortcut for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    usage_count: Mapped[int] = mapped_column(default=0)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class Draft(Base):
    """What one agent is writing on one ticket, kept until it is sent or discarded."""

    __tablename__ = "reply_drafts"
    __table_args__ = (UniqueConstraint("ticket_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str | None] = mapped_column(String(16), default=None)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class GuardOverride(Base):
    """A blocking guard finding an agent chose to send past, with the reason they gave."""

    __tablename__ = "guard_overrides"
    __table_args__ = (Index("ix_guard_overrides_ws", "workspace_id", "code", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    send_key: Mapped[str] = mapped_column(String(100))
    finding: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
