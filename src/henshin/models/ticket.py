"""The ticket aggregate: the ticket, its tags, reads, internal notes and its history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base, JSONType
from henshin.kit.time import utc_now


class TicketStatus(StrEnum):
    OPEN = "open"
    SNOOZED = "snoozed"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return {"low": 0, "normal": 1, "high": 2, "urgent": 3}[self.value]


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # One ticket per DM conversation / per standalone engagement on a channel.
        UniqueConstraint("channel_id", "thread_key"),
        Index("ix_tickets_inbox", "workspace_id", "status", "last_activity_at", "id"),
        Index("ix_tickets_activity", "workspace_id", "last_activity_at", "id"),
        Index(
            "ix_tickets_assignee",
            "workspace_id", "assignee_user_id", "status", "last_activity_at", "id",
        ),
        Index("ix_tickets_team", "workspace_id", "assignee_team_id", "status", "last_activity_at"),
        Index("ix_tickets_waiting", "workspace_id", "status", "waiting_since"),
        Index("ix_tickets_snooze", "status", "snooze_until"),
        Index("ix_tickets_contact", "contact_id"),
        Index("ix_tickets_updated", "updated_at"),  # the report sweep reads recent changes
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None
    )
    network: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    thread_key: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.OPEN.value)
    priority: Mapped[str] = mapped_column(String(16), default=Priority.NORMAL.value)
    assignee_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    assignee_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    escalation_level: Mapped[str | None] = mapped_column(String(4), default=None)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    sentiment_label: Mapped[str | None] = mapped_column(String(16), default=None)
    sentiment_score: Mapped[float | None] = mapped_column(Float, default=None)
    is_spam: Mapped[bool] = mapped_column(default=False)
    # Folded (NFKC, width, kana, case) text of the conversation for free-text search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_activity_at: Mapped[datetime]
    last_inbound_at: Mapped[datetime | None] = mapped_column(default=None)
    last_outbound_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set while the customer's latest message awaits the team's answer.
    waiting_since: Mapped[datetime | None] = mapped_column(default=None)
    first_response_at: Mapped[datetime | None] = mapped_column(default=None)
    first_response_by: Mapped[int | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[int | None] = mapped_column(default=None)
    snooze_until: Mapped[datetime | None] = mapped_column(default=None)
    reopen_count: Mapped[int] = mapped_column(default=0)
    message_count: Mapped[int] = mapped_column(default=1)
    sla_first_response_due_at: Mapped[datetime | None] = mapped_column(default=None)
    sla_next_response_due_at: Mapped[datetime | None] = mapped_column(default=None)
    sla_resolution_due_at: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(BigInteger, default=1)


class TicketTag(Base):
    __tablename__ = "ticket_tags"
    __table_args__ = (Index("ix_ticket_tags_name", "workspace_id", "name", "ticket_id"),)

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class TicketRead(Base):
    """Who has read a ticket, and when (unread = activity after the last read)."""

    __tablename__ = "ticket_reads"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(default=utc_now)


class Note(Base):
    """An internal note: never sent to the customer."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_ticket", "ticket_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    text: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list[int]] = mapped_column(
        JSONType, default=list
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class TicketEvent(Base):
    """One change to a ticket — who, what, when. The history and the source of reports."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        Index("ix_ticket_events_ticket", "ticket_id", "id"),
        Index("ix_ticket_events_ws_type", "workspace_id", "type", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
