"""Reporting facts: one row per ticket, derived from its history and kept exact by listeners.

Every figure on the reports page is an aggregate over these rows (see docs/metrics.md).
A row is a pure function of the ticket, its tags and its ``ticket_events``; the listeners
recompute it after every committed change and ``henshin report rebuild`` recomputes all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base
from henshin.kit.time import utc_now


class TicketFact(Base):
    __tablename__ = "report_ticket_facts"
    __table_args__ = (
        Index("ix_report_facts_created", "workspace_id", "created_at"),
        Index("ix_report_facts_closed", "workspace_id", "closed_at"),
        Index("ix_report_facts_agent", "workspace_id", "agent_id", "created_at"),
        Index("ix_report_facts_open", "workspace_id", "status", "created_at"),
    )

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[int]
    network: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int | None] = mapped_column(default=None)
    # The handling agent: the assignee, else the closer, else the last human replier.
    agent_id: Mapped[int | None] = mapped_column(default=None)
    priority: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    sentiment: Mapped[str | None] = mapped_column(String(16), default=None)
    status: Mapped[str] = mapped_column(String(16))
    is_spam: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    # Creation in the workspace's time zone, for the by-day and hour × weekday views.
    created_day: Mapped[str] = mapped_column(String(10))
    created_hour: Mapped[int]
    created_weekday: Mapped[int]
    inbound_messages: Mapped[int] = mapped_column(default=1)
    first_response_at: Mapped[datetime | None] = mapped_column(default=None)
    first_response_by: Mapped[int | None] = mapped_column(default=None)
    first_response_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    first_response_business_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    auto_response_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    next_response_count: Mapped[int] = mapped_column(default=0)
    next_response_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    next_response_business_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    replies: Mapped[int] = mapped_column(default=0)
    auto_replies: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[int | None] = mapped_column(default=None)
    close_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    close_business_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    closed_without_reply: Mapped[bool] = mapped_column(default=False)
    reopens: Mapped[int] = mapped_column(default=0)
    gratitude_messages: Mapped[int] = mapped_column(default=0)
    csat_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    csat_score: Mapped[int | None] = mapped_column(default=None)
    sla_first_response_due_at: Mapped[datetime | None] = mapped_column(default=None)
    sla_resolution_due_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
