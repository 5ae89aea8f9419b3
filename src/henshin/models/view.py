"""Saved inbox views: a named filter combination of the tickets API, personal or shared."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base
from henshin.kit.time import utc_now


class SavedView(Base):
    """A custom inbox view; ``owner_user_id`` None means shared with the whole workspace."""

    __tablename__ = "saved_views"
    __table_args__ = (Index("ix_saved_views_workspace", "workspace_id", "owner_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None
    )
    name: Mapped[str] = mapped_column(String(120))
    # TicketFilter fields as the tickets API takes them (lists of strings/ints, flags).
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sort: Mapped[str] = mapped_column(String(32), default="activity")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
