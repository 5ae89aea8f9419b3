"""Routing state: each agent's weekly shift, and each team's round-robin cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base, JSONType
from henshin.kit.time import utc_now


class AgentShift(Base):
    """When an agent works: a `henshin.routing.hours.WeeklySchedule` as JSON."""

    __tablename__ = "agent_shifts"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    schedule: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class RoundRobinCursor(Base):
    """Who in a team received the last round-robin assignment (row-locked when advanced)."""

    __tablename__ = "round_robin_cursors"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    last_user_id: Mapped[int | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
