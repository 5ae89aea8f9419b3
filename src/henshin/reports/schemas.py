"""Report shapes: the metrics, the filters every figure takes, grouping, the results."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field


class Metric(StrEnum):
    FIRST_RESPONSE_TIME = "first-response-time"
    NEXT_RESPONSE_TIME = "next-response-time"
    CLOSE_TIME = "close-time"
    REOPENS = "reopens"
    HANDLED = "handled"
    CSAT = "csat"
    VOLUME = "volume"
    SLA = "sla"
    BACKLOG = "backlog"


class GroupBy(StrEnum):
    AGENT = "agent"
    TEAM = "team"
    NETWORK = "network"
    KIND = "kind"
    TAG = "tag"
    CHANNEL = "channel"
    PRIORITY = "priority"
    LANGUAGE = "language"
    SENTIMENT = "sentiment"
    DAY = "day"
    HOUR = "hour"
    WEEKDAY = "weekday"


class ReportFilter(BaseModel):
    """Which tickets a figure covers. ``start``/``end`` are aware UTC bounds, ``end`` exclusive."""

    model_config = ConfigDict(extra="forbid")

    start: datetime | None = None
    end: datetime | None = None
    channel_id: list[int] = Field(default_factory=list)
    network: list[str] = Field(default_factory=list)
    kind: list[str] = Field(default_factory=list)
    team_id: list[int] = Field(default_factory=list)
    agent_id: list[int] = Field(default_factory=list)
    tag: list[str] = Field(default_factory=list)
    priority: list[str] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list)
    sentiment: list[str] = Field(default_factory=list)
    # Local hour of day (0–23) and weekday (0 = Monday) of creation: the heatmap's cells.
    hour: list[int] = Field(default_factory=list)
    weekday: list[int] = Field(default_factory=list)
    include_spam: bool = False

    def narrows(self) -> bool:
        """Whether it keeps only some tickets by more than the range (and spam): any of the
        channel, network … weekday lists is set."""
        return any(getattr(self, name) for name in type(self).model_fields
                   if name not in {"start", "end", "include_spam"})


def day_bounds(start: date | None, end: date | None, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """Local dates (``end`` inclusive) → aware UTC bounds ``[start, end + 1 day)``."""
    lo = datetime.combine(start, time(0), tzinfo=zone) if start else None
    hi = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone) if end else None
    return lo, hi


class Stats(BaseModel):
    """A duration distribution in seconds: count, mean, median, p90 (None when empty)."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None


class ReportRow(BaseModel):
    """One group of a report (or the whole range, with ``key`` None)."""

    key: str | int | None
    label: str | None = None
    values: dict[str, Any]


class ReportOut(BaseModel):
    metric: Metric
    group_by: GroupBy | None
    start: datetime | None
    end: datetime | None
    timezone: str
    total: ReportRow
    groups: list[ReportRow]
    # Set while the business-time figures are being recomputed after the business hours
    # changed (at this moment): until then they still count the old hours.
    recomputing_since: datetime | None = None


class TicketFactOut(BaseModel):
    """One line per ticket with all its timings (the per-ticket export and drill-down)."""

    ticket_id: int
    channel_id: int
    network: str
    kind: str
    status: str
    priority: str
    team_id: int | None
    agent_id: int | None
    language: str | None
    sentiment: str | None
    tags: list[str]
    created_at: datetime
    inbound_messages: int
    first_response_at: datetime | None
    first_response_by: int | None
    first_response_seconds: float | None
    first_response_business_seconds: float | None
    auto_response_seconds: float | None
    next_response_count: int
    next_response_seconds: float | None
    next_response_business_seconds: float | None
    replies: int
    auto_replies: int
    closed_at: datetime | None
    closed_by: int | None
    close_seconds: float | None
    close_business_seconds: float | None
    closed_without_reply: bool
    reopens: int
    gratitude_messages: int
    csat_score: int | None
    sla_first_response_due_at: datetime | None
    sla_resolution_due_at: datetime | None


class TicketFactPage(BaseModel):
    items: list[TicketFactOut]
    next_cursor: int | None
