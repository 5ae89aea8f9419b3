"""``POST /api/v1/engagements``: what connectors and integrations call to ingest."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from henshin.connectors.types import InboundEngagement
from henshin.ingest.service import ingest_with_retry
from henshin.web.deps import CurrentCaller, DbSession

router = APIRouter(prefix="/engagements", tags=["engagements"])


class EngagementBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel_id: int
    engagements: list[InboundEngagement] = Field(min_length=1, max_length=1000)


class IngestItemOut(BaseModel):
    external_id: str
    result: Literal["created", "appended", "reopened", "gratitude", "duplicate", "recorded"]
    ticket_id: int | None
    engagement_id: int | None


class IngestOut(BaseModel):
    items: list[IngestItemOut]


@router.post("", response_model=IngestOut, status_code=200)
def ingest_engagements(batch: EngagementBatch, caller: CurrentCaller, db: DbSession) -> IngestOut:
    """Ingest a batch; idempotent on (channel, external_id), all-or-nothing per batch."""
    outcomes = ingest_with_retry(
        db, workspace_id=caller.workspace_id, channel_id=batch.channel_id, items=batch.engagements
    )
    return IngestOut(
        items=[
            IngestItemOut(
                external_id=o.external_id, result=o.result, ticket_id=o.ticket_id,
                engagement_id=o.engagement_id,
            )
            for o in outcomes
        ]
    )
