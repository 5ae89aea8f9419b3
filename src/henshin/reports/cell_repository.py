"""Every statement on ``report_cells``, and the fact reads the cells are built from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    RowMapping,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from henshin.models import ReportCell, TicketFact
from henshin.reports.cells import CellKey, Change, apply_change, pack, unpack

CELLS = cast(Table, ReportCell.__table__)
KEY_COLUMNS = (ReportCell.grain, ReportCell.measure, ReportCell.period, ReportCell.subject, ReportCell.bucket)
CHUNK = 400


def fact_rows(db: Session, query: Select[Any], columns: Sequence[str] | None = None) -> list[RowMapping]:
    """Fact rows (as mappings; whole, or only ``columns``) matched by a ``filtered_facts`` select."""
    table = TicketFact.__table__.columns
    chosen = list(table) if columns is None else [table[c] for c in columns]
    return list(db.execute(query.with_only_columns(*chosen)).mappings())


def facts_by_ticket(db: Session, ticket_ids: Sequence[int]) -> dict[int, RowMapping]:
    """The stored fact rows of these tickets (before a recompute replaces them)."""
    rows = db.execute(select(*TicketFact.__table__.columns).where(TicketFact.ticket_id.in_(ticket_ids)))
    return {row["ticket_id"]: row for row in rows.mappings()}


def facts_of_workspace_in_pages(db: Session, workspace_id: int, size: int) -> Iterable[list[RowMapping]]:
    last = 0
    while True:
        page = list(db.execute(
            select(*TicketFact.__table__.columns)
            .where(TicketFact.workspace_id == workspace_id, TicketFact.ticket_id > last)
            .order_by(TicketFact.ticket_id).limit(size)
        ).mappings())
        if not page:
            return
        yield page
        last = page[-1]["ticket_id"]


def lock_cells(db: Session, workspace_id: int) -> None:
    """On PostgreSQL, one writer of a workspace's cells at a time (until commit).

    Two recomputes may move values in and out of the same cell; taking this lock before
    reading the cells makes each read-modify-write see the other's committed result.
    SQLite allows one writer anyway.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:k1, :k2)"), {"k1": 8_008, "k2": workspace_id})


def _keys_are(keys: Sequence[CellKey]) -> Any:
    """Cells with one of these keys: an OR of primary-key lookups, which both databases
    answer with one index probe per key (SQLite scans for a row-value IN list)."""
    return or_(*(and_(*(column == value for column, value in zip(KEY_COLUMNS, key, strict=True))) for key in keys))


def apply_changes(db: Session, workspace_id: int, changes: Mapping[CellKey, Change]) -> None:
    """Add ``changes`` to the workspace's cells: insert new cells, drop emptied ones."""
    keys = list(changes)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        stored = {
            tuple(row[:5]): (row[5], row[6], unpack(row[7]))
            for row in db.execute(
                select(*KEY_COLUMNS, ReportCell.n, ReportCell.total, ReportCell.values)
                .where(ReportCell.workspace_id == workspace_id, _keys_are(chunk))
            )
        }
        inserts, updates, deletes = [], [], []
        for key in chunk:
            n, total, values = stored.get(key, (0, 0, None))
            n, total, values = apply_change(n, total, values, changes[key])
            fields = dict(zip(("grain", "measure", "period", "subject", "bucket"), key, strict=True))
            if n == 0:
                if key in stored:
                    deletes.append(key)
            elif key in stored:
                updates.append({**{"k_" + k: v for k, v in fields.items()}, "new_n": n, "new_total": total,
                                "new_values": pack(values)})
            else:
                inserts.append({"workspace_id": workspace_id, **fields, "n": n, "total": total,
                                "values": pack(values)})
        if deletes:
            db.execute(delete(ReportCell).where(ReportCell.workspace_id == workspace_id, _keys_are(deletes)))
        if updates:
            db.execute(
                update(CELLS)
                .where(ReportCell.workspace_id == workspace_id,
                       *(column == bindparam("k_" + column.key) for column in KEY_COLUMNS))
                .values(n=bindparam("new_n"), total=bindparam("new_total"), values=bindparam("new_values")),
                updates,
            )
        if inserts:
            db.execute(insert(ReportCell), inserts)


def replace_cells(db: Session, workspace_id: int, cells: Mapping[CellKey, Change]) -> None:
    """Drop a workspace's cells and write these (a rebuild)."""
    db.execute(delete(ReportCell).where(ReportCell.workspace_id == workspace_id))
    rows = [
        {"workspace_id": workspace_id, "grain": k[0], "measure": k[1], "period": k[2], "subject": k[3],
         "bucket": k[4], "n": c.n, "total": c.total, "values": pack(sorted(c.added) if c.added else None)}
        for k, c in cells.items() if c.n
    ]
    for start in range(0, len(rows), 5_000):
        db.execute(insert(ReportCell), rows[start:start + 5_000])


def cells_of_workspace(db: Session, workspace_id: int) -> dict[CellKey, tuple[int, int, list[float] | None]]:
    """Every cell (for tests comparing the kept cells with a rebuild)."""
    rows = db.execute(select(*KEY_COLUMNS, ReportCell.n, ReportCell.total, ReportCell.values)
                      .where(ReportCell.workspace_id == workspace_id))
    return {tuple(r[:5]): (int(r[5]), int(r[6]), unpack(r[7])) for r in rows}  # type: ignore[misc]


def _in_range(query: Any, lo: str | None, hi: str | None) -> Any:
    if lo is not None:
        query = query.where(ReportCell.period >= lo)
    if hi is not None:
        query = query.where(ReportCell.period < hi)
    return query


def cell_sums(db: Session, workspace_id: int, grain: str, measures: Sequence[str], lo: str | None,
              hi: str | None, by_period: bool) -> list[tuple[str | None, str, str, int, int, int]]:
    """(period or None, measure, subject, bucket, n, total) summed over periods ``[lo, hi)``."""
    period: Any = ReportCell.period if by_period else None
    keys = [ReportCell.measure, ReportCell.subject, ReportCell.bucket]
    query = _in_range(
        select(*([period] if by_period else []), *keys, func.sum(ReportCell.n), func.sum(ReportCell.total))
        .where(ReportCell.workspace_id == workspace_id, ReportCell.grain == grain,
               ReportCell.measure.in_(measures)), lo, hi,
    ).group_by(*([period] if by_period else []), *keys)
    out = []
    for row in db.execute(query):
        head = row[0] if by_period else None
        rest = row[1:] if by_period else row
        out.append((head, str(rest[0]), str(rest[1]), int(rest[2]), int(rest[3]), int(rest[4])))
    return out


def cell_values(db: Session, workspace_id: int, grain: str, measure: str, lo: str | None, hi: str | None,
                wanted: set[tuple[str | None, str, int]], by_period: bool) -> dict[tuple[str | None, str, int], list[float]]:
    """The exact values of buckets: ``wanted`` holds (period or None, subject, bucket).

    One statement reads the candidate cells (the wanted buckets of the wanted subjects).
    """
    out: dict[tuple[str | None, str, int], list[float]] = {}
    if not wanted:
        return out
    query = _in_range(
        select(ReportCell.period, ReportCell.subject, ReportCell.bucket, ReportCell.values)
        .where(ReportCell.workspace_id == workspace_id, ReportCell.grain == grain, ReportCell.measure == measure,
               ReportCell.bucket.in_(sorted({b for _, _, b in wanted})),
               ReportCell.subject.in_(sorted({s for _, s, _ in wanted}))), lo, hi)
    for period, subject, bucket_, values in db.execute(query):
        key = (period if by_period else None, subject, bucket_)
        if key in wanted and values:
            out.setdefault(key, []).extend(unpack(values) or ())
    return out


def pending_sla(db: Session, workspace_id: int, start: datetime | None, end: datetime | None, due: Any,
                done: Any, now: datetime) -> Counter[str]:
    """Non-spam tickets created in ``[start, end)`` whose target ``due`` is still ahead and
    not ``done``, per local day of creation.

    It reads the due-time index from ``now`` on (few rows: only targets still ahead) and
    keeps the rest in Python: with ``done IS NULL`` or the range in SQL, SQLite's planner
    prefers the close-time or creation index and reads a third of the workspace.
    """
    rows = db.execute(select(TicketFact.created_at, TicketFact.created_day, done)
                      .where(TicketFact.workspace_id == workspace_id, due >= now, TicketFact.is_spam.is_(False)))
    return Counter(day for created, day, finished in rows
                   if finished is None and (start is None or created >= start) and (end is None or created < end))
