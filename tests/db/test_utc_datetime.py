"""Aware datetimes are stored in UTC: on SQLite as one text format, so ranges compare right."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError

from henshin.db.base import UTCDateTime
from henshin.db.engine import make_engine

JST = timezone(timedelta(hours=9))


@pytest.fixture
def moments(tmp_path: Path) -> tuple[Table, object, Path]:
    path = tmp_path / "moments.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    table = Table("moments", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime()))
    table.metadata.create_all(engine)
    return table, engine, path


def test_sqlite_keeps_utc_text_and_reads_back_aware_utc(moments) -> None:  # type: ignore[no-untyped-def]
    table, engine, path = moments
    at = datetime(2026, 11, 23, 9, 0, tzinfo=JST)  # on the hour: microseconds still written
    same = at.astimezone(UTC)
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": 1, "at": at}, {"id": 2, "at": same}, {"id": 3, "at": at},
                                     {"id": 4, "at": at + timedelta(microseconds=5)}, {"id": 5, "at": None}])
    raw = dict(sqlite3.connect(path).execute("SELECT id, at FROM moments").fetchall())
    assert raw == {1: "2026-11-23 00:00:00.000000", 2: "2026-11-23 00:00:00.000000",
                   3: "2026-11-23 00:00:00.000000", 4: "2026-11-23 00:00:00.000005", 5: None}
    with engine.connect() as conn:
        read = conn.execute(select(table.c.at).where(table.c.id == 1)).scalar_one()
        later = conn.execute(select(table.c.id).where(table.c.at > datetime(2026, 11, 23, 9, tzinfo=JST))).all()
    assert read == at and read.tzinfo is UTC
    assert later == [(4,)]


def test_the_two_instants_of_an_ambiguous_local_hour_stay_apart(moments) -> None:  # type: ignore[no-untyped-def]
    table, engine, path = moments
    first = datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York"))  # clocks go back at 2:00
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": 1, "at": first}, {"id": 2, "at": first.replace(fold=1)},
                                     {"id": 3, "at": first}])
    raw = dict(sqlite3.connect(path).execute("SELECT id, at FROM moments").fetchall())
    assert raw == {1: "2026-11-01 05:30:00.000000", 2: "2026-11-01 06:30:00.000000", 3: "2026-11-01 05:30:00.000000"}


def test_a_naive_datetime_is_refused(moments) -> None:  # type: ignore[no-untyped-def]
    table, engine, _ = moments
    with pytest.raises(StatementError, match="naive datetime"), engine.begin() as conn:
        conn.execute(insert(table), [{"id": 1, "at": datetime(2026, 11, 23, 9, 0)}])  # noqa: DTZ001 (the point)
