"""Outbound messages and actions: durable rows the worker delivers exactly once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base
from henshin.kit.time import utc_now


class DeliveryState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"  # undone by the agent before it left


class OutboundMessage(Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (
        Index("ix_outbound_due", "state", "next_attempt_at"),
        Index("ix_outbound_ticket", "ticket_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), default=None
    )
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # henshin.connectors.types.OutboundKind
    # Public (reply on the network) or private (DM / private reply) — for reports and guards.
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    text: Mapped[str] = mapped_column(Text, default="")
    target_external_id: Mapped[str | None] = mapped_column(String(255), default=None)
    author_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    actor_type: Mapped[str] = mapped_column(String(16), default="user")
    actor_id: Mapped[int | None] = mapped_column(default=None)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utc_now)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)
    url: Mapped[str | None] = mapped_column(String(2048), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
