"""What each ticket adds to the report cells (``histograms`` reads exact statistics back).

A cell sums one measure over the non-spam tickets of one local day (or week and agent).
``contributions(fact)`` lists a ticket's part; the listeners subtract the old fact's part
and add the new one's, so the cells always equal a rebuild from the facts.

Durations keep a histogram: one cell per bucket (ratio 1.1), holding the count, the sum in
microseconds and the sorted exact values. A median over a year first sums bucket counts
to find the bucket holding each rank, then reads only that bucket's values: the figure
is the same as sorting every value, without reading every value.
"""

from __future__ import annotations

import bisect
import math
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from henshin.reports.stats import micros

# (grain, measure, period, subject, bucket)
CellKey = tuple[str, str, str, str, int]
COUNT = -1
LOG_RATIO = math.log(1.1)

# Durations per local day of creation, and per week of creation and agent.
DAY_DURATIONS = {
    "fr": "first_response_seconds", "fr_business": "first_response_business_seconds",
    "fr_auto": "auto_response_seconds", "close": "close_seconds",
    "close_business": "close_business_seconds",
}
WEEK_DURATIONS = {m: DAY_DURATIONS[m] for m in ("fr", "fr_business", "fr_auto")}


def bucket(value: float) -> int:
    """The histogram bucket of a duration: 0 below one second, then ×1.1 per bucket.

    Only monotonic order matters for exactness (a bigger value never lands in a lower
    bucket); the ratio sets how many values a median has to read.
    """
    if value < 1:
        return 0
    return 1 + math.floor(math.log(value) / LOG_RATIO)


def pack(values: list[float] | None) -> bytes | None:
    """Sorted values as stored in a cell: little-endian float64 bytes."""
    if values is None:
        return None
    packed = array("d", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack(stored: bytes | None) -> list[float] | None:
    if stored is None:
        return None
    values = array("d")
    values.frombytes(stored)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


def week_of(day: str) -> str:
    """The Monday starting the week of a local day (``YYYY-MM-DD``)."""
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()


def subject_of(value: int | str | None) -> str:
    return "" if value is None else str(value)


def local_day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat()


@dataclass(frozen=True)
class Part:
    """One ticket's part of one cell."""

    key: CellKey
    n: int
    total: int
    value: float | None = None


def contributions(fact: Mapping[Any, Any], zone: ZoneInfo) -> list[Part]:
    """Every cell part of a fact row (spam tickets add nothing: figures leave them out)."""
    if fact["is_spam"]:
        return []
    return day_parts(fact, zone) + week_parts(fact)


def _count(grain: str, measure: str, period: str, subject: str = "", total: int = 0) -> Part:
    return Part((grain, measure, period, subject, COUNT), 1, total)


def _durations(grain: str, period: str, subject: str, fact: Mapping[Any, Any],
               columns: Mapping[str, str]) -> list[Part]:
    return [Part((grain, measure, period, subject, bucket(value)), 1, micros(value), float(value))
            for measure, column in columns.items() if (value := fact[column]) is not None]


def week_parts(fact: Mapping[Any, Any]) -> list[Part]:
    """The parts of a non-spam fact in the week × agent cells (reads ``WEEK_COLUMNS``)."""
    week, agent = week_of(fact["created_day"]), subject_of(fact["agent_id"])
    out = [_count("week", "tickets", week, agent, int(fact["inbound_messages"]))]
    out += _durations("week", week, agent, fact, WEEK_DURATIONS)
    if fact["csat_sent_at"] is not None:
        out.append(_count("week", "csat_sent", week, agent))
    if fact["csat_score"] is not None:
        score = int(fact["csat_score"])
        out.append(Part(("week", "csat", week, agent, score), 1, micros(score)))
    return out


def day_parts(fact: Mapping[Any, Any], zone: ZoneInfo) -> list[Part]:
    """The parts of a non-spam fact in the day cells (of creation, close and replies)."""
    day, messages = fact["created_day"], int(fact["inbound_messages"])
    out = [_count("day", "tickets", day, total=messages),
           _count("day", "hour", day, str(fact["created_hour"]), total=messages)]
    out += [_count("day", "tag", day, tag, total=messages) for tag in fact["tags"] or ()]
    out += _durations("day", day, "", fact, DAY_DURATIONS)
    if fact["csat_sent_at"] is not None:
        out.append(_count("day", "csat_sent", day))
    if fact["csat_score"] is not None:
        score = int(fact["csat_score"])
        out.append(Part(("day", "csat", day, "", score), 1, micros(score)))
    if fact["closed_at"] is not None or fact["reopens"] > 0:
        out.append(_count("day", "ever_closed", day))
    if fact["reopens"] > 0:
        out.append(_count("day", "reopened", day, total=int(fact["reopens"])))
    if fact["gratitude_messages"]:
        out.append(_count("day", "gratitude", day, total=int(fact["gratitude_messages"])))
    for name, due, done in (("sla_fr", fact["sla_first_response_due_at"], fact["first_response_at"]),
                            ("sla_res", fact["sla_resolution_due_at"], fact["closed_at"])):
        if due is not None:
            out.append(_count("day", name + ("_open" if done is None else "_met" if done <= due else "_late"), day))
    if fact["closed_at"] is not None:
        out.append(_count("day", "closed", local_day(fact["closed_at"], zone), subject_of(fact["closed_by"]),
                          total=int(bool(fact["closed_without_reply"]))))
    out += [Part(("day", "replies", reply_day, subject_of(replier), COUNT), int(n), 0)
            for reply_day, replier, n in fact["reply_days"] or ()]
    return out


@dataclass
class Change:
    """How one cell moves: counts to add and exact values to add and take out."""

    n: int = 0
    total: int = 0
    added: list[float] = field(default_factory=list)
    removed: list[float] = field(default_factory=list)

    def settle(self) -> bool:
        """Cancel values both added and removed; True if anything is left to write."""
        both = Counter(self.added) & Counter(self.removed)
        if both:
            self.added = list((Counter(self.added) - both).elements())
            self.removed = list((Counter(self.removed) - both).elements())
        return bool(self.n or self.total or self.added or self.removed)


def changes(old: Iterable[Part], new: Iterable[Part]) -> dict[CellKey, Change]:
    """The cell changes that turn ``old`` parts into ``new`` ones (nothing for equal parts)."""
    out: dict[CellKey, Change] = {}
    for parts, sign in ((old, -1), (new, 1)):
        for part in parts:
            change = out.setdefault(part.key, Change())
            change.n += sign * part.n
            change.total += sign * part.total
            if part.value is not None:
                (change.added if sign > 0 else change.removed).append(part.value)
    return {k: c for k, c in out.items() if c.settle()}


def apply_change(n: int, total: int, values: list[float] | None, change: Change,
                 ) -> tuple[int, int, list[float] | None]:
    """A cell's new (n, total, values) after ``change``; values stay sorted."""
    kept = None if values is None and not change.added else sorted(values or [])
    for value in change.removed:
        at = bisect.bisect_left(kept or [], value)
        # A value can only leave a cell it entered; anything else means the cells were
        # never built for these facts (run ``henshin report rebuild``).
        if kept is None or at == len(kept) or kept[at] != value:
            raise ValueError(f"report cell lacks the value {value!r} it should hold")
        del kept[at]
    for value in change.added:
        assert kept is not None
        bisect.insort(kept, value)
    return n + change.n, total + change.total, kept
