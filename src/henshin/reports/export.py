"""CSV exports: one line per ticket with all its timings, and aggregate tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from henshin.reports import repository as repo
from henshin.reports.schemas import ReportFilter, ReportOut, TicketFactOut, TicketFactPage

TICKET_COLUMNS = list(TicketFactOut.model_fields)
PAGE = 1000


def flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"calendar": {"median": 3}}`` → ``{"calendar.median": 3}``."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def report_csv(report: ReportOut) -> str:
    """The report as CSV: a header, then one line per group (or one for the whole range)."""
    rows = report.groups or [report.total]
    flat = [flatten(r.values) for r in rows]
    columns = list(dict.fromkeys(k for f in flat for k in f))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["group", "label", *columns])
    for row, values in zip(rows, flat, strict=True):
        writer.writerow(["" if row.key is None else row.key, row.label or "",
                         *("" if values.get(c) is None else values.get(c) for c in columns)])
    return buffer.getvalue()


def ticket_page(db: Session, workspace_id: int, f: ReportFilter, *, after_id: int = 0,
                limit: int = 100) -> TicketFactPage:
    """One page of per-ticket rows (the drill-down behind any figure), by ticket id."""
    facts = repo.page_of_facts(db, repo.filtered_facts(workspace_id, f), after_id=after_id, limit=limit + 1)
    more = len(facts) > limit
    facts = facts[:limit]
    tags = repo.tags_of(db, [x.ticket_id for x in facts])
    items = [
        TicketFactOut.model_validate({**{c: getattr(x, c, None) for c in TICKET_COLUMNS},
                                      "tags": tags.get(x.ticket_id, [])})
        for x in facts
    ]
    return TicketFactPage(items=items, next_cursor=facts[-1].ticket_id if more and facts else None)


def tickets_csv(db: Session, workspace_id: int, f: ReportFilter) -> Iterator[str]:
    """Every matching ticket, one CSV line each, streamed page by page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TICKET_COLUMNS)
    after = 0
    while True:
        page = ticket_page(db, workspace_id, f, after_id=after, limit=PAGE)
        for item in page.items:
            data = item.model_dump(mode="json")
            data["tags"] = " ".join(data["tags"])
            writer.writerow(["" if data[c] is None else data[c] for c in TICKET_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if page.next_cursor is None:
            return
        after = page.next_cursor
