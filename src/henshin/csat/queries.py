"""Reads over CSAT answers for the API."""

from __future__ import annotations

from sqlalchemy.orm import Session

from henshin.csat import repository as repo
from henshin.models import CsatSurvey


def answered_surveys(db: Session, workspace_id: int, *, limit: int, before_id: int | None) -> list[CsatSurvey]:
    """The workspace's answered surveys, newest first, before ``before_id`` when given."""
    return repo.responses(db, workspace_id, limit=limit, before_id=before_id)
