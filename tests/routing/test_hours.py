"""Business hours: opening, closing, holidays, overnight shifts, DST and SLA time math."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from henshin.routing.hours import OpenPeriod, ScheduleNeverOpens, WeeklySchedule

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = WeeklySchedule.weekdays([("09:00", "12:00"), ("13:00", "18:00")])


def tokyo(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def test_open_during_periods_and_closed_at_lunch_and_weekends() -> None:
    assert OFFICE.is_open(tokyo(2026, 11, 20, 9, 0))  # Friday
    assert OFFICE.is_open(tokyo(2026, 11, 20, 17, 59))
    assert not OFFICE.is_open(tokyo(2026, 11, 20, 12, 30))
    assert not OFFICE.is_open(tokyo(2026, 11, 20, 18, 0))
    assert not OFFICE.is_open(tokyo(2026, 11, 21, 10, 0))  # Saturday


@pytest.mark.parametrize(
    "holiday",
    [date(2026, 1, 1), date(2026, 1, 12), date(2026, 5, 6), date(2026, 11, 23)],
    ids=["元日", "成人の日", "振替休日", "勤労感謝の日"],
)
def test_japanese_national_holidays_are_closed(holiday: date) -> None:
    assert not OFFICE.is_open(tokyo(holiday.year, holiday.month, holiday.day, 10, 0))
    assert OFFICE.is_closed_day(holiday)


def test_holidays_can_be_switched_off_and_custom_dates_and_closures_added() -> None:
    no_holidays = WeeklySchedule.weekdays([("09:00", "18:00")], holiday_country=None)
    assert no_holidays.is_open(tokyo(2026, 1, 12, 10, 0))
    custom = WeeklySchedule(
        "Asia/Tokyo",
        OFFICE.week,
        closed_dates=frozenset({date(2026, 12, 29)}),
        closures=((tokyo(2026, 12, 1, 10, 0), tokyo(2026, 12, 1, 11, 0)),),
    )
    assert not custom.is_open(tokyo(2026, 12, 29, 10, 0))
    assert not custom.is_open(tokyo(2026, 12, 1, 10, 30))
    assert custom.is_open(tokyo(2026, 12, 1, 11, 0))
    assert custom.next_open(tokyo(2026, 12, 1, 10, 30)) == tokyo(2026, 12, 1, 11, 0)


def test_next_open_and_next_close() -> None:
    friday_evening = tokyo(2026, 11, 20, 19, 0)
    # Monday 23 Nov 2026 is 勤労感謝の日, so the office opens on Tuesday.
    assert OFFICE.next_open(friday_evening) == tokyo(2026, 11, 24, 9, 0)
    assert OFFICE.next_open(tokyo(2026, 11, 24, 10, 0)) == tokyo(2026, 11, 24, 10, 0)
    assert OFFICE.next_close(tokyo(2026, 11, 24, 10, 0)) == tokyo(2026, 11, 24, 12, 0)
    assert OFFICE.next_close(tokyo(2026, 11, 24, 12, 30)) == tokyo(2026, 11, 24, 18, 0)
    assert OFFICE.next_open(friday_evening).tzinfo is UTC


def test_sla_due_in_business_hours_skips_nights_weekends_and_holidays() -> None:
    received = tokyo(2026, 11, 20, 17, 0)  # Friday, one business hour left
    assert OFFICE.add_business_time(received, 3 * 3600) == tokyo(2026, 11, 24, 11, 0)
    assert OFFICE.business_seconds_between(received, tokyo(2026, 11, 24, 11, 0)) == 3 * 3600
    assert OFFICE.business_seconds_between(tokyo(2026, 11, 24, 11, 0), received) == -3 * 3600


def test_next_business_morning_is_the_first_opening_of_the_next_working_day() -> None:
    assert OFFICE.next_business_morning(tokyo(2026, 11, 20, 10, 0)) == tokyo(2026, 11, 24, 9, 0)
    assert OFFICE.next_business_morning(tokyo(2026, 11, 24, 8, 0)) == tokyo(2026, 11, 25, 9, 0)


def test_overnight_periods_run_into_the_next_day() -> None:
    night = WeeklySchedule.weekdays([("22:00", "06:00")], holiday_country=None)
    assert night.is_open(tokyo(2026, 11, 20, 23, 0))  # Friday night
    assert night.is_open(tokyo(2026, 11, 21, 5, 59))  # Saturday early morning
    assert not night.is_open(tokyo(2026, 11, 21, 23, 0))  # Saturday night: no shift
    assert night.next_close(tokyo(2026, 11, 20, 23, 0)) == tokyo(2026, 11, 21, 6, 0)
    assert night.business_seconds_between(tokyo(2026, 11, 20, 0), tokyo(2026, 11, 22, 0)) == (
        6 * 3600 + 8 * 3600  # Friday 00–06 (Thursday's shift) and Friday 22 → Saturday 06
    )


def test_daylight_saving_changes_the_length_of_a_night_shift() -> None:
    night = WeeklySchedule(
        "America/New_York", {5: (OpenPeriod.parse("22:00", "06:00"),)}, holiday_country=None
    )
    spring = datetime(2026, 3, 7, 22, 0, tzinfo=NEW_YORK)  # Saturday before clocks go forward
    autumn = datetime(2026, 10, 31, 22, 0, tzinfo=NEW_YORK)  # Saturday before clocks go back
    assert night.business_seconds_between(spring, spring + timedelta(hours=12)) == 7 * 3600
    assert night.business_seconds_between(autumn, autumn + timedelta(hours=12)) == 9 * 3600
    assert night.add_business_time(spring, 7 * 3600) == datetime(2026, 3, 8, 6, 0, tzinfo=NEW_YORK)


def test_json_round_trip_and_clear_errors() -> None:
    schedule = WeeklySchedule(
        "Asia/Tokyo",
        {0: (OpenPeriod.parse("09:00", "18:00"),), 4: (OpenPeriod.parse("22:00", "24:00"),)},
        closed_dates=frozenset({date(2026, 12, 31)}),
        closures=((tokyo(2026, 12, 1, 10, 0), tokyo(2026, 12, 1, 11, 0)),),
    )
    data = schedule.to_json()
    assert data["week"] == {"mon": [["09:00", "18:00"]], "fri": [["22:00", "24:00"]]}
    assert WeeklySchedule.from_json(data) == schedule
    with pytest.raises(ValueError, match="not an IANA time zone"):
        WeeklySchedule.from_json({**data, "timezone": "Mars/Olympus"})
    with pytest.raises(ValueError, match="unknown day"):
        WeeklySchedule.from_json({**data, "week": {"monday": [["09:00", "18:00"]]}})
    with pytest.raises(ValueError, match="not a time"):
        WeeklySchedule.from_json({**data, "week": {"mon": [["9am", "18:00"]]}})


def test_a_schedule_that_never_opens_says_so() -> None:
    closed = WeeklySchedule("UTC", {}, holiday_country=None)
    with pytest.raises(ScheduleNeverOpens):
        closed.next_open(datetime(2026, 1, 1, tzinfo=UTC))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        OFFICE.is_open(datetime(2026, 11, 20, 10, 0))  # noqa: DTZ001


moments = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
schedules = st.sampled_from(
    [
        OFFICE,
        WeeklySchedule.weekdays([("22:00", "06:00")], timezone="America/New_York"),
        WeeklySchedule.weekdays([("00:00", "24:00")], days=(0, 2, 5), timezone="Europe/London"),
    ]
)


@settings(max_examples=150, deadline=None)
@given(schedule=schedules, start=moments, seconds=st.integers(0, 30 * 3600))
def test_adding_business_time_round_trips(
    schedule: WeeklySchedule, start: datetime, seconds: int
) -> None:
    due = schedule.add_business_time(start, seconds)
    assert due >= start
    assert schedule.business_seconds_between(start, due) == seconds
    if seconds:
        assert schedule.is_open(due - timedelta(microseconds=1))


@settings(max_examples=100, deadline=None)
@given(start=moments, end=moments, zone=st.sampled_from(["UTC", "Asia/Tokyo", "America/New_York"]))
def test_calendar_hours_equal_plain_subtraction(start: datetime, end: datetime, zone: str) -> None:
    calendar = WeeklySchedule.calendar_hours(zone)
    assert calendar.business_seconds_between(start, end) == (end - start).total_seconds()
    assert calendar.is_open(start)


def test_an_overnight_period_belongs_to_the_day_it_starts() -> None:
    night = WeeklySchedule.weekdays([("22:00", "06:00")])  # Japanese holidays on
    # Monday 23 Nov 2026 is a holiday: its night shift does not run, Sunday has none.
    assert not night.is_open(tokyo(2026, 11, 23, 23, 0))
    assert not night.is_open(tokyo(2026, 11, 24, 5, 0))
    assert night.is_open(tokyo(2026, 11, 24, 23, 0))
    assert night.next_close(tokyo(2026, 11, 23, 12, 0)) == tokyo(2026, 11, 25, 6, 0)


def test_calendar_hours_round_trip_through_json() -> None:
    calendar = WeeklySchedule.calendar_hours("Asia/Tokyo")
    again = WeeklySchedule.from_json(calendar.to_json())
    assert again == calendar
    assert hash(again) == hash(calendar)
    assert again.holiday_country is None
