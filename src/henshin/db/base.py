"""Declarative base and the column types every model shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

from henshin.kit.time import as_utc

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes; always returns them aware in UTC (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return as_utc(value)  # SQLite binds through ``_sqlite_text`` (``bind_processor``)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        if dialect.name == "sqlite":
            return _sqlite_text
        return super().bind_processor(dialect)


# Recent texts of UTC moments: a batch binds the same moments again and again (each row's
# "now", a ticket's creation as its last activity and waiting-since, an engagement's time
# on its ticket, event and fact), and formatting one costs ~20 dict lookups. Only UTC
# keys: within another zone, an ambiguous local hour compares equal to its twin.
_sqlite_texts: dict[datetime, str] = {}


def _sqlite_text(value: datetime | None) -> str | None:
    """``process_bind_param`` and SQLite's DATETIME text (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC)
    in one step, a fraction of the cost of the two: ingest binds a dozen per engagement."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
    text = _sqlite_texts.get(value)
    if text is None:
        text = value.isoformat(" ", "microseconds")[:26]
        if len(_sqlite_texts) >= 4096:
            _sqlite_texts.clear()
        _sqlite_texts[value] = text
    return text


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime, dict[str, Any]: JSONType}
