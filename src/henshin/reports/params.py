"""Reading report parameters as people type them: dates, ranges, metric and grouping names."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from henshin.kit.errors import InvalidInput
from henshin.kit.time import as_utc
from henshin.reports.schemas import GroupBy, Metric, day_bounds


def parse_bound(text: str | None, zone: ZoneInfo, *, name: str, is_end: bool) -> datetime | None:
    """``2026-11-20`` (a local day; an end day is inclusive) or an ISO datetime with zone."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            lo, hi = day_bounds(day, day, zone)
            return hi if is_end else lo
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name}: {text!r} is not a date like 2026-11-20 or a datetime "
                           "like 2026-11-20T09:00:00+09:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return as_utc(moment)


def parse_range(start: str | None, end: str | None, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The aware UTC ``[start, end)`` for the ``from``/``to`` parameters."""
    lo = parse_bound(start, zone, name="from", is_end=False)
    hi = parse_bound(end, zone, name="to", is_end=True)
    if lo is not None and hi is not None and hi <= lo:
        raise InvalidInput("'to' must be after 'from'")
    return lo, hi


def parse_metric(text: str) -> Metric:
    try:
        return Metric(text)
    except ValueError:
        raise InvalidInput(f"unknown metric {text!r}; use one of: "
                           + ", ".join(m.value for m in Metric)) from None


def parse_group(text: str | None) -> GroupBy | None:
    if not text:
        return None
    try:
        return GroupBy(text)
    except ValueError:
        raise InvalidInput(f"unknown group_by {text!r}; use one of: "
                           + ", ".join(g.value for g in GroupBy)) from None
