"""An engagement: one inbound (or echoed outbound) item from a network, kept verbatim."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base, JSONType
from henshin.kit.time import utc_now


class Engagement(Base):
    __tablename__ = "engagements"
    __table_args__ = (
        UniqueConstraint("channel_id", "external_id"),
        Index("ix_engagements_ticket", "ticket_id", "created_at"),
        Index("ix_engagements_contact", "contact_id", "created_at"),
        Index("ix_engagements_ws_received", "workspace_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), default=None
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None
    )
    network: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(16), default="inbound")
    external_id: Mapped[str] = mapped_column(String(255))
    thread_id: Mapped[str | None] = mapped_column(String(255), default=None)
    parent_external_id: Mapped[str | None] = mapped_column(String(255), default=None)
    post_external_id: Mapped[str | None] = mapped_column(String(255), default=None)
    post: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    text: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    rating: Mapped[int | None] = mapped_column(default=None)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    url: Mapped[str | None] = mapped_column(String(2048), default=None)
    reply_context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    analysis: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    sentiment_label: Mapped[str | None] = mapped_column(String(16), default=None)
    sentiment_score: Mapped[float | None] = mapped_column(Float, default=None)
    is_spam: Mapped[bool] = mapped_column(default=False)
    is_gratitude: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utc_now)
