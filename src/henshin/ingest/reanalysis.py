"""Re-run the understanding layer over stored engagements (after a model update)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from henshin.connectors.types import Author, EngagementKind, InboundEngagement, Metrics
from henshin.db.session import Database
from henshin.ingest import repository as repo
from henshin.ingest.analysis import understand_batch
from henshin.models import Engagement


def _as_item(row: Engagement) -> InboundEngagement:
    metrics = Metrics(**row.metrics) if row.metrics else None
    return InboundEngagement(
        external_id=row.external_id, kind=EngagementKind(row.kind),
        author=Author(external_id=str(row.contact_id or "unknown")), text=row.text,
        created_at=row.created_at, metrics=metrics,
    )


def reanalyze(
    database: Database,
    *,
    workspace_id: int | None = None,
    since: datetime | None = None,
    batch: int = 500,
    progress: Callable[[int], None] | None = None,
    deep: bool | None = None,
) -> int:
    """Analyse every matching engagement again; refresh its ticket's language and sentiment.

    ``deep`` picks the understanding mode (default: the ``HENSHIN_UNDERSTAND_DEEP`` setting).
    """
    done = 0
    after_id = 0
    while True:
        with database.unit_of_work() as db:
            rows = repo.engagements_after(db, after_id, limit=batch, workspace_id=workspace_id, since=since)
            if not rows:
                return done
            _apply(db, rows, deep=deep)
            after_id = rows[-1].id
            done += len(rows)
        if progress:
            progress(len(rows))


def _apply(db: Session, rows: list[Engagement], *, deep: bool | None) -> None:
    understood = understand_batch([_as_item(r) for r in rows], deep=deep)
    for row, u in zip(rows, understood, strict=True):
        row.analysis = u.document
        row.language = u.language
        row.sentiment_label = u.sentiment_label
        row.sentiment_score = u.sentiment_score
        row.is_spam = u.is_spam
        row.is_gratitude = u.is_gratitude
    # A ticket shows the analysis of the message that opened it.
    opening = repo.opening_engagement_ids(db, {r.ticket_id for r in rows if r.ticket_id is not None})
    by_id = {r.id: r for r in rows}
    for ticket in repo.tickets_by_ids(db, list(opening)):
        row = by_id.get(opening[ticket.id])
        if row is not None:
            ticket.language = row.language
            ticket.sentiment_label = row.sentiment_label
            ticket.sentiment_score = row.sentiment_score
            ticket.is_spam = row.is_spam
