"""CSAT answers through the API: each tied to its ticket and the agent it credits."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel

from henshin.csat.queries import answered_surveys
from henshin.models.workspace import Role
from henshin.web.deps import CurrentCaller, DbSession

router = APIRouter(prefix="/csat", tags=["csat"])


class CsatResponseOut(BaseModel):
    survey_id: int
    ticket_id: int
    agent_id: int | None
    language: str
    score: int
    comment: str | None
    sent_at: datetime
    responded_at: datetime


class CsatResponsePage(BaseModel):
    items: list[CsatResponseOut]
    next_cursor: int | None


@router.get("/responses", response_model=CsatResponsePage)
def list_responses(caller: CurrentCaller, db: DbSession, cursor: int | None = None,
                   limit: int = Query(default=50, ge=1, le=200)) -> CsatResponsePage:
    """Answers, newest first (supervisors and admins; scores per agent are in the reports)."""
    caller.require(Role.SUPERVISOR)
    rows = answered_surveys(db, caller.workspace_id, limit=limit + 1, before_id=cursor)
    more = len(rows) > limit
    rows = rows[:limit]
    return CsatResponsePage(
        items=[CsatResponseOut(survey_id=r.id, ticket_id=r.ticket_id, agent_id=r.agent_id, language=r.language,
                               score=int(r.score or 0), comment=r.comment, sent_at=r.sent_at,
                               responded_at=r.responded_at) for r in rows if r.responded_at is not None],
        next_cursor=rows[-1].id if more and rows else None,
    )
