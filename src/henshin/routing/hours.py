"""Business hours: a weekly schedule in a time zone, with holidays and closures.

Routing (who is on shift), SLAs (due times in business hours), snooze presets and the
reports (time in business hours) all use `WeeklySchedule`. A period belongs to the day it
starts on: ``22:00–06:00`` on Friday runs into Saturday morning, and is closed entirely
when Friday is a holiday. Local times that do not exist (a DST gap) are taken with the
offset before the change, so a period never gains or loses more than the clocks do.
All datetimes given must be aware; all returned are aware UTC.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = timedelta(days=1)
_SEARCH_DAYS = 800  # how far ahead to look for an opening before giving up
_WINDOW_DAYS = 64  # the largest search window


class ScheduleNeverOpens(ValueError):
    """The schedule has no open time within the search horizon (two years or so)."""


@lru_cache(maxsize=256)
def _national_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def _minutes(text: str, *, allow_24: bool) -> int:
    try:
        hours_text, minutes_text = text.split(":")
        hours, minutes = int(hours_text), int(minutes_text)
    except ValueError:
        raise ValueError(f"'{text}' is not a time like 09:00") from None
    total = hours * 60 + minutes
    if not (0 <= minutes < 60 and 0 <= total <= (1440 if allow_24 else 1439)):
        raise ValueError(f"'{text}' is not a time of day")
    return total


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(UTC)


@dataclass(frozen=True, order=True)
class OpenPeriod:
    """One opening on a weekday, in minutes after local midnight.

    ``end`` may be 1440 (midnight) and may be at or before ``start``: then the period runs
    past midnight into the next day.
    """

    start: int
    end: int

    @classmethod
    def parse(cls, start: str, end: str) -> OpenPeriod:
        """``OpenPeriod.parse("22:00", "06:00")``; ``"24:00"`` is allowed as an end."""
        period = cls(_minutes(start, allow_24=False), _minutes(end, allow_24=True))
        if period.start == period.end:
            raise ValueError(f"the period {start}–{end} is empty")
        return period

    @property
    def overnight(self) -> bool:
        """Whether the period ends on the next day."""
        return self.end <= self.start

    def as_text(self) -> tuple[str, str]:
        """``("09:00", "12:00")``."""
        return (
            f"{self.start // 60:02d}:{self.start % 60:02d}",
            f"{self.end // 60:02d}:{self.end % 60:02d}",
        )


@dataclass(frozen=True)
class WeeklySchedule:
    """Opening periods per weekday in an IANA time zone, minus holidays and closures.

    ``week`` maps 0 (Monday) … 6 (Sunday) to that day's periods. ``holiday_country``
    closes the country's national holidays (``"JP"`` by default; None for none),
    ``closed_dates`` closes extra whole local days (company holidays), and ``closures``
    closes aware ``(start, end)`` intervals (an outage, an offsite).
    """

    timezone: str
    week: Mapping[int, tuple[OpenPeriod, ...]]
    holiday_country: str | None = "JP"
    closed_dates: frozenset[date] = field(default_factory=frozenset)
    closures: tuple[tuple[datetime, datetime], ...] = ()

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{self.timezone}' is not an IANA time zone") from None
        object.__setattr__(self, "_zone", zone)
        week = {day: tuple(sorted(self.week.get(day, ()))) for day in range(7)}
        object.__setattr__(self, "week", week)
        closures = tuple(
            sorted((_aware(s, "closure start"), _aware(e, "closure end")) for s, e in self.closures)
        )
        if any(end <= start for start, end in closures):
            raise ValueError("a closure must end after it starts")
        object.__setattr__(self, "closures", closures)
        if self.holiday_country is not None:
            try:
                _national_holidays(self.holiday_country, 2000)  # any year: is the country known?
            except NotImplementedError:
                raise ValueError(f"no built-in holidays for '{self.holiday_country}'") from None

    def __hash__(self) -> int:
        week = tuple(sorted(self.week.items()))
        return hash((self.timezone, week, self.holiday_country, self.closed_dates, self.closures))

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's time zone."""
        return self._zone  # type: ignore[attr-defined,no-any-return]

    # -- constructors and JSON -------------------------------------------------------

    @classmethod
    def weekdays(
        cls,
        periods: list[tuple[str, str]],
        *,
        timezone: str = "Asia/Tokyo",
        days: tuple[int, ...] = (0, 1, 2, 3, 4),
        holiday_country: str | None = "JP",
    ) -> WeeklySchedule:
        """The same periods on each of ``days`` (Monday to Friday by default)."""
        parsed = tuple(OpenPeriod.parse(start, end) for start, end in periods)
        return cls(timezone, {day: parsed for day in days}, holiday_country=holiday_country)

    @classmethod
    def calendar_hours(cls, timezone: str = "UTC") -> WeeklySchedule:
        """Always open: business time equals elapsed time."""
        whole_day = (OpenPeriod(0, 1440),)
        return cls(timezone, {day: whole_day for day in range(7)}, holiday_country=None)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data, read back by `from_json`."""
        return {
            "timezone": self.timezone,
            "week": {
                WEEKDAYS[day]: [list(p.as_text()) for p in periods]
                for day, periods in self.week.items()
                if periods
            },
            "holiday_country": self.holiday_country,
            "closed_dates": sorted(d.isoformat() for d in self.closed_dates),
            "closures": [{"start": s.isoformat(), "end": e.isoformat()} for s, e in self.closures],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WeeklySchedule:
        """Build a schedule from `to_json` data; raise ValueError saying what is wrong."""
        week_data = data.get("week", {})
        unknown = set(week_data) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"week: unknown day(s) {sorted(unknown)}; use {', '.join(WEEKDAYS)}")
        week = {
            WEEKDAYS.index(name): tuple(OpenPeriod.parse(str(s), str(e)) for s, e in periods)
            for name, periods in week_data.items()
        }
        closures = tuple(
            (datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"]))
            for item in data.get("closures", [])
        )
        return cls(
            timezone=str(data.get("timezone", "UTC")),
            week=week,
            holiday_country=data.get("holiday_country", "JP"),
            closed_dates=frozenset(date.fromisoformat(d) for d in data.get("closed_dates", [])),
            closures=closures,
        )

    # -- days and intervals ----------------------------------------------------------

    def is_closed_day(self, day: date) -> bool:
        """Whether a local date is a holiday or a closed date (its periods do not open)."""
        if day in self.closed_dates:
            return True
        return self.holiday_country is not None and day in _national_holidays(
            self.holiday_country, day.year
        )

    def _local(self, minutes: int, day: date) -> datetime:
        if minutes >= 1440:
            day, minutes = day + _DAY, 0
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)
        return local.astimezone(UTC)

    def _day_periods(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        if self.is_closed_day(day):
            return
        for period in self.week[day.weekday()]:
            start = self._local(period.start, day)
            end = self._local(period.end, day + _DAY if period.overnight else day)
            if start < end:
                yield start, end

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """Open intervals (UTC, merged, closures removed) overlapping ``[start, end)``."""
        start, end = _aware(start, "start"), _aware(end, "end")
        first = start.astimezone(self.zone).date() - _DAY  # yesterday's overnight period
        last = end.astimezone(self.zone).date()
        raw: list[tuple[datetime, datetime]] = []
        day = first
        while day <= last:
            raw.extend(self._day_periods(day))
            day += _DAY
        raw.sort()
        merged: list[tuple[datetime, datetime]] = []
        for s, e in raw:
            if merged and s <= merged[-1][1]:
                if e > merged[-1][1]:
                    merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        opened = self._without_closures(merged)
        return [(s, e) for s, e in opened if e > start and s < end]

    def _without_closures(
        self, intervals: list[tuple[datetime, datetime]]
    ) -> list[tuple[datetime, datetime]]:
        if not self.closures:
            return intervals
        result: list[tuple[datetime, datetime]] = []
        for s, e in intervals:
            pieces = [(s, e)]
            for c_start, c_end in self.closures:
                if c_end <= s or c_start >= e:
                    continue
                next_pieces = []
                for p_start, p_end in pieces:
                    if p_start < c_start:
                        next_pieces.append((p_start, min(p_end, c_start)))
                    if p_end > c_end:
                        next_pieces.append((max(p_start, c_end), p_end))
                pieces = next_pieces
            result.extend(pieces)
        return result

    def _intervals_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals from ``at`` on, clipped to start at ``at``, window by window.

        Windows start at two days (most SLA targets end within them) and double.
        """
        window_start, seen_until, days = at, at, 2
        horizon = at + timedelta(days=_SEARCH_DAYS)
        while window_start < horizon:
            window_end = window_start + timedelta(days=days)
            for s, e in self.open_intervals(window_start, window_end):
                s = max(s, seen_until)
                if e > s:
                    seen_until = e
                    yield s, e
            window_start, days = window_end, min(days * 2, _WINDOW_DAYS)
        raise ScheduleNeverOpens(f"no open time within {_SEARCH_DAYS} days of {at.isoformat()}")

    # -- the questions routing, SLAs and reports ask ---------------------------------

    def is_open(self, at: datetime) -> bool:
        """Whether the schedule is open at ``at``."""
        at = _aware(at, "at")
        return any(s <= at < e for s, e in self.open_intervals(at, at + timedelta(seconds=1)))

    def next_open(self, at: datetime) -> datetime:
        """``at`` if open then, else the moment it next opens."""
        at = _aware(at, "at")
        start, _ = next(self._intervals_from(at))
        return start

    def next_close(self, at: datetime) -> datetime:
        """When the current opening ends, or (when closed) when the next one ends."""
        at = _aware(at, "at")
        intervals = self._intervals_from(at)
        _, end = next(intervals)
        for s, e in intervals:  # windows may split one opening; join the pieces
            if s > end:
                break
            end = e
        return end

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Open seconds in ``[start, end)``; negative when ``end`` is before ``start``."""
        start, end = _aware(start, "start"), _aware(end, "end")
        if end < start:
            return -self.business_seconds_between(end, start)
        total = timedelta(0)
        for s, e in self.open_intervals(start, end):
            total += min(e, end) - max(s, start)
        return total.total_seconds()

    def add_business_time(self, start: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of open time after ``start`` (an SLA due time)."""
        start = _aware(start, "start")
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        remaining = timedelta(seconds=seconds)
        if not remaining:
            return start
        for s, e in self._intervals_from(start):
            if remaining <= e - s:
                return s + remaining
            remaining -= e - s
        raise ScheduleNeverOpens("unreachable")  # pragma: no cover - _intervals_from raises

    def next_business_morning(self, at: datetime) -> datetime:
        """The first opening on a later local day than ``at`` (the "tomorrow morning" snooze)."""
        at = _aware(at, "at")
        day = at.astimezone(self.zone).date()
        for _ in range(_SEARCH_DAYS):
            day += _DAY
            for s, _e in self._without_closures(list(self._day_periods(day))):
                return s
        raise ScheduleNeverOpens(f"no business day within {_SEARCH_DAYS} days of {at.isoformat()}")
