"""One ticket's reporting facts, computed from its history alone (a pure function).

The precise definitions are in docs/metrics.md; this module is their implementation.
Replies by people (actor ``user``, or our account answering outside henshin) are human
responses; replies by rules or the system are automatic and reported on their own, unless
the workspace counts them (``settings["reports"]["auto_reply_counts_as_first_response"]``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from henshin.events.names import HistoryType
from henshin.routing.hours import WeeklySchedule


class HistoryRow(Protocol):
    """What a fact reads of one history event (an ORM row, or a ``FactEvent``)."""

    @property
    def type(self) -> str: ...
    @property
    def actor_type(self) -> str: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> datetime: ...


class TicketRow(Protocol):
    """What a fact reads of its ticket (an ORM row, or a ``FactTicket``)."""

    @property
    def id(self) -> int: ...
    @property
    def workspace_id(self) -> int: ...
    @property
    def channel_id(self) -> int: ...
    @property
    def network(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def assignee_user_id(self) -> int | None: ...
    @property
    def assignee_team_id(self) -> int | None: ...
    @property
    def priority(self) -> str: ...
    @property
    def language(self) -> str | None: ...
    @property
    def sentiment_label(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def is_spam(self) -> bool: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def sla_first_response_due_at(self) -> datetime | None: ...
    @property
    def sla_resolution_due_at(self) -> datetime | None: ...
    @property
    def version(self) -> int: ...


class FactTicket(NamedTuple):
    """The ticket columns a fact derives from, as the rollup reads them (a ``TicketRow``).

    A named tuple rather than an ORM object or a SQLAlchemy ``Row``: a round builds one per
    ticket, and reading a field of a ``Row`` by name costs about a microsecond.
    """

    id: int
    workspace_id: int
    channel_id: int
    network: str
    kind: str
    assignee_user_id: int | None
    assignee_team_id: int | None
    priority: str
    language: str | None
    sentiment_label: str | None
    status: str
    is_spam: bool
    created_at: datetime
    sla_first_response_due_at: datetime | None
    sla_resolution_due_at: datetime | None
    version: int


class FactEvent(NamedTuple):
    """One history event, as the rollup reads it (a ``HistoryRow``)."""

    id: int
    ticket_id: int
    type: str
    actor_type: str
    actor_id: int | None
    data: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class ReportClock:
    """How a workspace measures time: its zone, business hours and reply policy."""

    timezone: ZoneInfo
    schedule: WeeklySchedule | None
    auto_reply_counts: bool = False

    @classmethod
    def of_workspace(cls, timezone: str, business_hours: Mapping[str, Any] | None,
                     settings: Mapping[str, Any] | None) -> ReportClock:
        """The clock for a workspace row's ``timezone``, ``business_hours`` and ``settings``."""
        schedule = None
        if business_hours:
            try:
                schedule = WeeklySchedule.from_json(business_hours)
            except ValueError:
                schedule = None  # an unreadable schedule: business time = calendar time
        reports = dict((settings or {}).get("reports") or {})
        return cls(ZoneInfo(timezone or "UTC"), schedule,
                   bool(reports.get("auto_reply_counts_as_first_response", False)))

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Open seconds between two moments (calendar seconds when no hours are set)."""
        if end <= start:
            return 0.0
        if self.schedule is None:
            return (end - start).total_seconds()
        return self.schedule.business_seconds_between(start, end)


def is_human_reply(row: HistoryRow) -> bool:
    """A reply written by a person: an agent in henshin, or our account outside it."""
    return row.actor_type == "user" or bool((row.data or {}).get("outside_henshin"))


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def compute_fact(ticket: TicketRow, history: Iterable[HistoryRow], clock: ReportClock,
                 tags: Sequence[str] = ()) -> dict[str, Any]:
    """The ``report_ticket_facts`` row for ``ticket`` (a dict of column values)."""
    created = ticket.created_at
    local = created.astimezone(clock.timezone)
    inbound = 1
    first_at: datetime | None = None
    first_by: int | None = None
    first_auto_at: datetime | None = None
    waiting_from: datetime | None = None
    next_waits: list[tuple[datetime, datetime]] = []
    replies = auto_replies = reopens = gratitude = 0
    last_replier: int | None = None
    closed_at: datetime | None = None
    closed_by: int | None = None
    csat_sent_at: datetime | None = None
    csat_score: int | None = None
    seen_created = False
    replied: Counter[tuple[str, int | None]] = Counter()
    for row in sorted(history, key=lambda r: (r.created_at, getattr(r, "id", 0) or 0)):
        kind = row.type
        if kind == HistoryType.CREATED:
            seen_created = True
        elif kind == HistoryType.MESSAGE:
            inbound += 1
            if first_at is not None and waiting_from is None:
                waiting_from = row.created_at
        elif kind == HistoryType.GRATITUDE:
            inbound += 1
            gratitude += 1
        elif kind == HistoryType.REPLIED:
            human = is_human_reply(row)
            if human:
                replies += 1
                replied[(row.created_at.astimezone(clock.timezone).date().isoformat(), row.actor_id)] += 1
                if row.actor_type == "user":
                    last_replier = row.actor_id
            else:
                auto_replies += 1
                first_auto_at = first_auto_at or row.created_at
            if human or clock.auto_reply_counts:
                if first_at is None:
                    first_at = row.created_at
                    first_by = row.actor_id if row.actor_type == "user" else None
                elif waiting_from is not None:
                    next_waits.append((waiting_from, row.created_at))
                waiting_from = None
        elif kind == HistoryType.CLOSED:
            closed_at = row.created_at
            closed_by = row.actor_id if row.actor_type == "user" else None
        elif kind == HistoryType.REOPENED:
            reopens += 1
            closed_at = None
        elif kind == HistoryType.CSAT:
            data = row.data or {}
            if data.get("state") == "sent":
                csat_sent_at = csat_sent_at or row.created_at
            elif data.get("state") == "answered" and data.get("score") is not None:
                csat_score = int(data["score"])
    if not seen_created:
        inbound = max(inbound, 1)
    is_closed = ticket.status == "closed" and closed_at is not None
    if not is_closed:
        closed_at = closed_by = None
    next_calendar = [_seconds(s, e) for s, e in next_waits]
    next_business = [clock.business_seconds(s, e) for s, e in next_waits]
    agent = ticket.assignee_user_id or closed_by or last_replier
    return {
        "ticket_id": ticket.id,
        "ticket_version": ticket.version or 0,
        "workspace_id": ticket.workspace_id,
        "channel_id": ticket.channel_id,
        "network": ticket.network,
        "kind": ticket.kind,
        "team_id": ticket.assignee_team_id,
        "agent_id": agent,
        "priority": ticket.priority,
        "language": ticket.language,
        "sentiment": ticket.sentiment_label,
        "status": ticket.status,
        "is_spam": bool(ticket.is_spam),
        "created_at": created,
        "created_day": local.date().isoformat(),
        "created_hour": local.hour,
        "created_weekday": local.weekday(),
        "inbound_messages": inbound,
        "first_response_at": first_at,
        "first_response_by": first_by,
        "first_response_seconds": _seconds(created, first_at) if first_at else None,
        "first_response_business_seconds": clock.business_seconds(created, first_at) if first_at else None,
        "auto_response_seconds": _seconds(created, first_auto_at) if first_auto_at else None,
        "next_response_count": len(next_waits),
        "next_response_seconds": sum(next_calendar) / len(next_calendar) if next_calendar else None,
        "next_response_business_seconds": sum(next_business) / len(next_business) if next_business else None,
        "replies": replies,
        "auto_replies": auto_replies,
        "closed_at": closed_at,
        "closed_by": closed_by,
        "close_seconds": _seconds(created, closed_at) if closed_at else None,
        "close_business_seconds": clock.business_seconds(created, closed_at) if closed_at else None,
        "closed_without_reply": bool(is_closed and first_at is None),
        "reopens": reopens,
        "gratitude_messages": gratitude,
        "csat_sent_at": csat_sent_at,
        "csat_score": csat_score,
        "sla_first_response_due_at": ticket.sla_first_response_due_at,
        "sla_resolution_due_at": ticket.sla_resolution_due_at,
        "tags": sorted(set(tags)),
        "reply_days": [[day, actor, n] for (day, actor), n in sorted(replied.items(), key=str)],
    }
