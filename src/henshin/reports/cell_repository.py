"""Every statement on ``report_cells``, and the fact reads the cells are built from."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    String,
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
KEY_NAMES = ("grain", "measure", "period", "subject", "bucket")  # the primary key after the workspace
CHUNK = 400


def fact_rows(db: Session, query: Select[Any]) -> Sequence[RowMapping]:
    """Whole fact rows (as mappings) matched by a ``filtered_facts`` select."""
    return db.connection().execute(query.with_only_columns(*TicketFact.__table__.columns)).mappings().all()


def fact_tuples(db: Session, query: Select[Any], columns: Sequence[str]) -> Sequence[tuple[Any, ...]]:
    """Plain rows of ``columns`` of the facts matched by a ``filtered_facts`` select."""
    table = TicketFact.__table__.columns
    rows = db.connection().execute(query.with_only_columns(*(table[c] for c in columns))).all()
    return cast(Sequence[tuple[Any, ...]], rows)


def facts_by_ticket(db: Session, ticket_ids: Sequence[int]) -> dict[int, RowMapping]:
    """The stored fact rows of these tickets (before a recompute replaces them)."""
    rows = db.connection().execute(select(*TicketFact.__table__.columns).where(TicketFact.ticket_id.in_(ticket_ids)))
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


@functools.cache
def _cells_with_keys(size: int) -> Select[Any]:
    """The stored cells with one of ``size`` keys (binds ``w``, ``grain0``…``bucket{size-1}``).

    An OR of primary-key lookups, which both databases answer with one index probe per key
    (SQLite scans for a row-value IN list). Built once per size, so a recompute builds and
    compiles no SQL for its keys.
    """
    c = CELLS.c
    return select(*(c[name] for name in KEY_NAMES), c.n, c.total, c["values"]).where(
        c.workspace_id == bindparam("w"),
        or_(*(and_(*(c[name] == bindparam(f"{name}{i}") for name in KEY_NAMES)) for i in range(size))),
    )


def _stored_cells(db: Session, workspace_id: int, keys: Sequence[CellKey],
                  ) -> dict[CellKey, tuple[int, int, list[float] | None]]:
    size = 1 << (len(keys) - 1).bit_length()  # padded to a power of two: few statement shapes
    params: dict[str, Any] = {"w": workspace_id}
    for i, key in enumerate([*keys, *[keys[-1]] * (size - len(keys))]):
        params.update(zip((f"{name}{i}" for name in KEY_NAMES), key, strict=True))
    rows = db.connection().execute(_cells_with_keys(size), params)
    return {tuple(row[:5]): (row[5], row[6], unpack(row[7])) for row in rows}


def _key_is_bound() -> list[Any]:
    """One cell by ``w`` and ``k_grain``…``k_bucket`` (an executemany of updates or deletes)."""
    return [CELLS.c.workspace_id == bindparam("w"), *(CELLS.c[name] == bindparam("k_" + name) for name in KEY_NAMES)]


def apply_changes(db: Session, workspace_id: int, changes: Mapping[CellKey, Change]) -> None:
    """Add ``changes`` to the workspace's cells: insert new cells, drop emptied ones.

    Core statements of a fixed shape on the session's connection: a recompute round
    touches a handful of cells, and building SQL for them cost more than running it.
    """
    keys = list(changes)
    connection = db.connection()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        stored = _stored_cells(db, workspace_id, chunk)
        inserts, updates, deletes = [], [], []
        for key in chunk:
            n, total, values = stored.get(key, (0, 0, None))
            n, total, values = apply_change(n, total, values, changes[key])
            fields = dict(zip(KEY_NAMES, key, strict=True))
            if n == 0:
                if key in stored:
                    deletes.append({"w": workspace_id, **{"k_" + k: v for k, v in fields.items()}})
            elif key in stored:
                updates.append({"w": workspace_id, **{"k_" + k: v for k, v in fields.items()}, "new_n": n,
                                "new_total": total, "new_values": pack(values)})
            else:
                inserts.append({"workspace_id": workspace_id, **fields, "n": n, "total": total,
                                "values": pack(values)})
        if deletes:
            connection.execute(delete(CELLS).where(*_key_is_bound()), deletes)
        if updates:
            connection.execute(
                update(CELLS).where(*_key_is_bound())
                .values(n=bindparam("new_n"), total=bindparam("new_total"), values=bindparam("new_values")),
                updates,
            )
        if inserts:
            connection.execute(insert(CELLS), inserts)


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
    c = CELLS.c
    rows = db.execute(select(*(c[name] for name in KEY_NAMES), c.n, c.total, c["values"])
                      .where(c.workspace_id == workspace_id))
    return {tuple(r[:5]): (int(r[5]), int(r[6]), unpack(r[7])) for r in rows}


def _in_range(query: Any, lo: str | None, hi: str | None) -> Any:
    if lo is not None:
        query = query.where(ReportCell.period >= lo)
    if hi is not None:
        query = query.where(ReportCell.period < hi)
    return query


def cell_sums(db: Session, workspace_id: int, grain: str, measure: str, lo: str | None, hi: str | None,
              by_period: bool) -> Sequence[tuple[str | None, str, int, int, int]]:
    """(period or None, subject, bucket, n, total) of one measure over periods ``[lo, hi)``,
    summed over the periods unless ``by_period``."""
    where = (ReportCell.workspace_id == workspace_id, ReportCell.grain == grain, ReportCell.measure == measure)
    if by_period:  # (period, subject, bucket) completes the primary key: nothing to sum
        keys = (ReportCell.period, ReportCell.subject, ReportCell.bucket)
        query = _in_range(select(*keys, ReportCell.n, ReportCell.total).where(*where), lo, hi)
        return cast(Sequence[tuple[str, str, int, int, int]], db.connection().execute(query).all())
    query = _in_range(
        select(ReportCell.subject, ReportCell.bucket, func.sum(ReportCell.n), func.sum(ReportCell.total))
        .where(*where), lo, hi,
    ).group_by(ReportCell.subject, ReportCell.bucket)
    return [(None, s, int(b), int(n), int(t)) for s, b, n, t in db.connection().execute(query)]


def bucket_sums(db: Session, workspace_id: int, grain: str, measure: str, lo: str | None, hi: str | None,
                by_period: bool) -> list[tuple[str | None, str, int, int, str]]:
    """A histogram measure over periods ``[lo, hi)``: per (period, or None when summed over the
    periods; subject), the µs total, the number of buckets and their counts as text
    ``"bucket n bucket n …"``.

    A year by day is tens of thousands of (day, bucket) cells. As one row per day the driver
    builds a few hundred rows instead (on the 1M benchmark, 12 ms instead of 22 ms at best,
    and far fewer objects for the garbage collector to walk under load).
    """
    where = (ReportCell.workspace_id == workspace_id, ReportCell.grain == grain, ReportCell.measure == measure)
    cells: Any = _in_range(
        select(ReportCell.period, ReportCell.subject, ReportCell.bucket, ReportCell.n, ReportCell.total)
        .where(*where), lo, hi,
    ) if by_period else _in_range(
        select(ReportCell.subject, ReportCell.bucket, func.sum(ReportCell.n).label("n"),
               func.sum(ReportCell.total).label("total")).where(*where), lo, hi,
    ).group_by(ReportCell.subject, ReportCell.bucket)
    cells = cells.subquery()
    keys = [cells.c.period, cells.c.subject] if by_period else [cells.c.subject]
    pairs = func.aggregate_strings(
        cells.c.bucket.cast(String) + " " + cells.c.n.cast(String), " ")
    query = select(*keys, func.sum(cells.c.total), func.count(), pairs).group_by(*keys)
    rows = db.connection().execute(query).all()
    if not by_period:
        return [(None, r[0], int(r[1]), int(r[2]), r[3]) for r in rows]
    return [(r[0], r[1], int(r[2]), int(r[3]), r[4]) for r in rows]


def cell_values(db: Session, workspace_id: int, grain: str, measure: str, lo: str | None, hi: str | None,
                wanted: Mapping[int, Collection[tuple[str | None, str]]], everywhere: Collection[int],
                ) -> list[tuple[str, str, int, bytes]]:
    """(period, subject, bucket, packed values) of cells in periods ``[lo, hi)``: of each bucket
    ``b`` in ``wanted``, those at its (period, subject) places (period None: any period);
    of each bucket in ``everywhere``, all of them.

    One statement: an OR of (bucket, periods, subjects) arms, each answered by the primary
    key, so only the cells a median or p90 needs are read (a bucket's values are most of a
    cell's size). Cells a place pairs up by accident (a period of one subject with another
    subject) may come too: callers keep the ones they asked for.
    """
    arms: list[ColumnElement[bool]] = [ReportCell.bucket.in_(sorted(everywhere))] if everywhere else []
    for bucket_, places in sorted(wanted.items()):
        if bucket_ in everywhere or not places:
            continue
        periods = {p for p, _ in places}
        arm = [ReportCell.bucket == bucket_, ReportCell.subject.in_(sorted({s for _, s in places}))]
        if None not in periods:
            arm.append(ReportCell.period.in_(sorted(cast(set[str], periods))))
        arms.append(and_(*arm))
    if not arms:
        return []
    query = _in_range(
        select(ReportCell.period, ReportCell.subject, ReportCell.bucket, ReportCell.values)
        .where(ReportCell.workspace_id == workspace_id, ReportCell.grain == grain, ReportCell.measure == measure,
               ReportCell.values.is_not(None), or_(*arms)), lo, hi)
    return [(p, s, int(b), v) for p, s, b, v in db.connection().execute(query).all()]


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
