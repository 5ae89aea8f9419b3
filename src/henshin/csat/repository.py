"""Every select() and conditional update over CSAT surveys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from henshin.models import Channel, Contact, CsatSurvey, Engagement, Ticket, Workspace


def survey_of_ticket(db: Session, ticket_id: int) -> CsatSurvey | None:
    return db.scalar(select(CsatSurvey).where(CsatSurvey.ticket_id == ticket_id))


def survey_by_digest(db: Session, digest: str) -> CsatSurvey | None:
    return db.scalar(select(CsatSurvey).where(CsatSurvey.token_digest == digest))


def closed_tickets(db: Session, ids: list[int]) -> list[Ticket]:
    return list(db.scalars(select(Ticket).where(Ticket.id.in_(ids), Ticket.status == "closed")))


def ticket_context(db: Session, ticket: Ticket) -> tuple[Workspace, Channel, Contact | None]:
    workspace = db.get(Workspace, ticket.workspace_id)
    channel = db.get(Channel, ticket.channel_id)
    assert workspace is not None and channel is not None
    contact = db.get(Contact, ticket.contact_id) if ticket.contact_id else None
    return workspace, channel, contact


def last_inbound_external_id(db: Session, ticket_id: int) -> str | None:
    return db.scalar(
        select(Engagement.external_id)
        .where(Engagement.ticket_id == ticket_id, Engagement.direction == "inbound")
        .order_by(Engagement.created_at.desc(), Engagement.id.desc()).limit(1)
    )


def record_answer(db: Session, survey_id: int, score: int, comment: str | None, at: datetime) -> bool:
    """Store the answer unless one is already stored: True when this call stored it."""
    result = db.execute(
        update(CsatSurvey)
        .where(CsatSurvey.id == survey_id, CsatSurvey.responded_at.is_(None))
        .values(score=score, comment=comment, responded_at=at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def responses(db: Session, workspace_id: int, *, limit: int = 100, before_id: int | None = None) -> list[CsatSurvey]:
    query = select(CsatSurvey).where(CsatSurvey.workspace_id == workspace_id, CsatSurvey.responded_at.is_not(None))
    if before_id is not None:
        query = query.where(CsatSurvey.id < before_id)
    return list(db.scalars(query.order_by(CsatSurvey.id.desc()).limit(limit)))
