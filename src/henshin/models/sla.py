"""SLA policies, each ticket's SLA clock (policy, pauses) and the warnings already raised."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base
from henshin.kit.time import utc_now


class SlaPolicy(Base):
    """Targets in minutes for tickets of a priority / escalation level / channel (None: any)."""

    __tablename__ = "sla_policies"
    __table_args__ = (Index("ix_sla_policies_ws", "workspace_id", "position", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    enabled: Mapped[bool] = mapped_column(default=True)
    priority: Mapped[str | None] = mapped_column(String(16), default=None)
    escalation_level: Mapped[str | None] = mapped_column(String(4), default=None)
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), default=None
    )
    first_response_minutes: Mapped[int | None] = mapped_column(default=None)
    next_response_minutes: Mapped[int | None] = mapped_column(default=None)
    resolution_minutes: Mapped[int | None] = mapped_column(default=None)
    business_hours: Mapped[bool] = mapped_column(default=False)
    pause_when_snoozed: Mapped[bool] = mapped_column(default=True)
    warn_before_minutes: Mapped[int] = mapped_column(default=15)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class TicketSlaClock(Base):
    """Which policy a ticket runs under and how long its clock has been paused."""

    __tablename__ = "ticket_sla_clocks"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL"), default=None
    )
    paused_at: Mapped[datetime | None] = mapped_column(default=None)
    paused_seconds: Mapped[float] = mapped_column(default=0.0)


class SlaAlert(Base):
    """A warning or breach already raised for one due time (raised once, then history)."""

    __tablename__ = "sla_alerts"
    __table_args__ = (
        UniqueConstraint("ticket_id", "target", "state", "due_at"),
        Index("ix_sla_alerts_ws", "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(32))  # first_response | next_response | resolution
    state: Mapped[str] = mapped_column(String(16))  # warning | breached
    due_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
