"""A contact: an author's identity on one network (profiles link across networks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base, JSONType
from henshin.kit.time import utc_now


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("workspace_id", "network", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    handle: Mapped[str | None] = mapped_column(String(255), default=None)
    display_name: Mapped[str | None] = mapped_column(String(255), default=None)
    avatar_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    profile_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    followers: Mapped[int | None] = mapped_column(default=None)
    verified: Mapped[bool] = mapped_column(default=False)
    # Labels such as vip, prospect, influencer, troll, do_not_contact.
    labels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    # Several contacts (one per network) may be one person: they share a profile id.
    profile_id: Mapped[int | None] = mapped_column(default=None, index=True)
    ticket_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
