"""Reporting facts: one row per ticket, derived from its history and kept exact by listeners.

Every figure on the reports page is an aggregate over these rows (see docs/metrics.md).
A row is a pure function of the ticket, its tags and its ``ticket_events``; the listeners
recompute it after every committed change and ``henshin report rebuild`` recomputes all.

``ReportCell`` rows are the facts summed per local day (and per week and agent), so a
year of figures reads a few hundred thousand small rows instead of every ticket; the same
listeners move each ticket's contribution from its old cells to its new ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base, JSONType
from henshin.kit.time import utc_now


class TicketFact(Base):
    __tablename__ = "report_ticket_facts"
    __table_args__ = (
        Index("ix_report_facts_created", "workspace_id", "created_at"),
        Index("ix_report_facts_closed", "workspace_id", "closed_at"),
        Index("ix_report_facts_agent", "workspace_id", "agent_id", "created_at"),
        Index("ix_report_facts_open", "workspace_id", "status", "created_at"),
        # Only SLA targets still ahead are read this way (the "pending" figures).
        Index("ix_report_facts_fr_due", "workspace_id", "sla_first_response_due_at"),
        Index("ix_report_facts_res_due", "workspace_id", "sla_resolution_due_at"),
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
    # What the cells need to take this ticket's contribution back out when it changes:
    # its tags, and its human replies as [local day, replier id, count].
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    reply_days: Mapped[list[list[Any]]] = mapped_column(JSONType, default=list)
    # The ticket's ``version`` these facts were computed from: the sweep recomputes a fact
    # whose ticket has moved on (an after-commit recompute that crashed or lost a race).
    ticket_version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class ReportCell(Base):
    """The sum of what the non-spam tickets of one cell contribute to one measure.

    ``grain`` ``day``: ``period`` is a local day (of creation, or of the close or reply the
    measure counts); ``week``: the local Monday of creation, ``subject`` the agent. Counts
    use ``bucket`` -1; durations (and scores) keep one row per histogram bucket with the
    sorted exact values, so medians and p90 stay exact (``henshin.reports.cells``).
    """

    __tablename__ = "report_cells"
    __table_args__ = (
        # Covers the count sums (``cell_repository.cell_sums``): a year of buckets is read
        # from this narrow index, not from rows that also carry the values.
        Index("ix_report_cells_sums", "workspace_id", "grain", "measure", "period", "subject", "bucket", "n", "total"),
        {"sqlite_with_rowid": False},
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    grain: Mapped[str] = mapped_column(String(8), primary_key=True)
    measure: Mapped[str] = mapped_column(String(24), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    # "" for the whole period; else an agent id, a tag, an hour of day or a score.
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    bucket: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    # Microseconds for durations, a plain sum (messages, reopens…) for counts.
    total: Mapped[int] = mapped_column(BigInteger)
    # The sorted values as little-endian float64 bytes (``cells.pack``): exact, and read
    # far faster than JSON (a year's median reads a few hundred thousand values).
    values: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
