"""A channel: one connected network account (credentials encrypted at rest)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base, JSONType
from henshin.kit.time import utc_now


class ChannelStatus(StrEnum):
    ACTIVE = "active"
    DISCONNECTED = "disconnected"  # auth expired: an admin must reconnect
    ERROR = "error"
    PAUSED = "paused"


class Channel(Base):
    __tablename__ = "channels"
    __table_args__ = (Index("ix_channels_workspace", "workspace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    external_account_id: Mapped[str | None] = mapped_column(String(255), default=None)
    handle: Mapped[str | None] = mapped_column(String(255), default=None)
    # Fernet token of the connector's credentials JSON (see henshin.kit.secrets).
    credentials_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ChannelStatus.ACTIVE.value)
    cursor: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_sync_at: Mapped[datetime | None] = mapped_column(default=None)
    last_item_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_error_at: Mapped[datetime | None] = mapped_column(default=None)
    rate_limited_until: Mapped[datetime | None] = mapped_column(default=None)
    # When the poller may next take this channel; claiming sets it ahead (a lease).
    next_poll_at: Mapped[datetime | None] = mapped_column(default=None)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    # What the last successful poll could not read while the rest came through (in words).
    warnings: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The latest rate-limit window the network reported: {"limit", "remaining", "reset_at"}.
    rate_limit: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
