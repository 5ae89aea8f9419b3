"""CSAT surveys: one per ticket, reached by an unguessable single-use link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base
from henshin.kit.time import utc_now


class CsatSurvey(Base):
    __tablename__ = "csat_surveys"
    __table_args__ = (Index("ix_csat_surveys_ws", "workspace_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # One survey per ticket: a reopened and re-closed ticket keeps its first survey.
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    # The agent the answer is credited to: the closer, else the last human replier.
    agent_id: Mapped[int | None] = mapped_column(default=None)
    # SHA-256 of the link's random token; the token itself is only in the link.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8), default="ja")
    outbound_id: Mapped[int | None] = mapped_column(default=None)
    sent_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    score: Mapped[int | None] = mapped_column(default=None)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    responded_at: Mapped[datetime | None] = mapped_column(default=None)
