"""The report figures read from the cells: whole local days (or weeks) from the cells,
the partial days at the ends of the range from the facts, added the same way (or, where a
week cell reaching past the range means fewer days to read, taken back out of it).

Cells hold non-spam tickets of the whole workspace, so they answer a range with no other
filter; any other filter, and groupings the cells do not keep, go to the facts
(``queries.run_report`` decides). The figures are the same either way: the tests compare
both on random data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from henshin.models import TicketFact, Workspace
from henshin.reports import cell_repository as cells_repo
from henshin.reports import repository as repo
from henshin.reports.cells import (
    COUNT,
    DAY_DURATIONS,
    WEEK_COLUMNS,
    Distribution,
    contributions,
    week_parts,
)
from henshin.reports.schemas import GroupBy, Metric, ReportFilter, Stats
from henshin.reports.stats import ratio

# Which groupings each metric can read from cells, and the grain that keeps them.
SUPPORTED: dict[Metric, set[GroupBy | None]] = {
    Metric.FIRST_RESPONSE_TIME: {None, GroupBy.DAY, GroupBy.AGENT},
    Metric.CLOSE_TIME: {None, GroupBy.DAY},
    Metric.REOPENS: {None, GroupBy.DAY},
    Metric.CSAT: {None, GroupBy.DAY, GroupBy.AGENT},
    Metric.SLA: {None, GroupBy.DAY},
    Metric.HANDLED: {None, GroupBy.DAY, GroupBy.AGENT},
    Metric.VOLUME: {None, GroupBy.DAY, GroupBy.TAG, GroupBy.HOUR, GroupBy.WEEKDAY},
}
MEASURES: dict[Metric, tuple[str, ...]] = {
    Metric.FIRST_RESPONSE_TIME: ("tickets", "fr", "fr_business", "fr_auto"),
    Metric.CLOSE_TIME: ("tickets", "close", "close_business"),
    Metric.REOPENS: ("tickets", "ever_closed", "reopened", "gratitude"),
    Metric.CSAT: ("tickets", "csat_sent", "csat"),
    Metric.SLA: ("tickets", "sla_fr_met", "sla_fr_late", "sla_fr_open",
                 "sla_res_met", "sla_res_late", "sla_res_open"),
}
DIMENSIONS = ("channel_id", "network", "kind", "team_id", "agent_id", "tag", "priority", "language",
              "sentiment", "hour", "weekday")


def answers(f: ReportFilter, metric: Metric, group: GroupBy | None) -> bool:
    """Whether the cells hold this figure: only a date range, spam left out."""
    return (not f.include_spam and not any(getattr(f, d) for d in DIMENSIONS)
            and group in SUPPORTED.get(metric, set()))


Instants = list[tuple[datetime | None, datetime | None]]


@dataclass(frozen=True)
class Span:
    """Periods ``[lo, hi)`` read from cells, plus the facts of ``edges`` and minus those of
    ``excess`` (a week cell reaching past the range, when that is fewer days to read)."""

    lo: str | None
    hi: str | None
    cells: bool
    edges: Instants
    excess: Instants


def split(start: datetime | None, end: datetime | None, zone: ZoneInfo, weekly: bool) -> Span:
    """The whole local days (or Monday-to-Sunday weeks) that cover ``[start, end)`` best."""
    def midnight(d: date) -> datetime:
        return datetime.combine(d, time(0), tzinfo=zone)

    def period_of(moment: datetime) -> date:
        day = moment.astimezone(zone).date()
        return day - timedelta(days=day.weekday()) if weekly else day

    step = timedelta(days=7 if weekly else 1)
    lo = hi = None
    edges: Instants = []
    excess: Instants = []
    if start is not None:
        lo = period_of(start)
        if midnight(lo) != start:
            inside = lo + step
            if not weekly or midnight(inside) - start <= start - midnight(lo):
                edges.append((start, midnight(inside)))
                lo = inside
            else:
                excess.append((midnight(lo), start))
    if end is not None:
        hi = period_of(end)
        if midnight(hi) != end:
            beyond = hi + step
            if not weekly or end - midnight(hi) <= midnight(beyond) - end:
                edges.append((midnight(hi), end))
            else:
                excess.append((end, midnight(beyond)))
                hi = beyond
    if lo is not None and hi is not None and lo >= hi:
        return Span(None, None, False, [(start, end)], [])
    return Span(lo.isoformat() if lo else None, hi.isoformat() if hi else None, True, edges, excess)


@dataclass
class Tally:
    """One group's sums: counts per (measure, subject) and a distribution per measure."""

    counts: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    dists: dict[str, Distribution] = field(default_factory=dict)

    def add(self, measure: str, subject: str, bucket: int, n: int, total: int, value: float | None) -> None:
        if bucket == COUNT:
            cell = self.counts.setdefault((measure, subject), [0, 0])
            cell[0] += n
            cell[1] += total
        else:
            self.dists.setdefault(measure, Distribution()).add(bucket, n, total, value)

    def count(self, measure: str) -> int:
        return sum(v[0] for (m, _), v in self.counts.items() if m == measure)

    def sum(self, measure: str) -> int:
        return sum(v[1] for (m, _), v in self.counts.items() if m == measure)

    def dist(self, measure: str) -> Distribution:
        return self.dists.get(measure) or Distribution()


Key = Callable[[str, str], Any]  # (period, subject) → group key


def _agent(_period: str, subject: str) -> int | None:
    return int(subject) if subject else None


def _whole(_period: str, _subject: str) -> None:
    return None


def _day(period: str, _subject: str) -> str:
    return period


@dataclass
class Sums:
    """Tallies per group key, and where their cells lie (to read bucket values later)."""

    groups: dict[Any, Tally]
    span: Span
    grain: str
    key: Key
    by_period: bool

    def cell_of(self, group: Any) -> tuple[str | None, str]:
        """(period, subject) of the cells behind a group key."""
        period = group if self.by_period else None
        return period, str(group) if self.key is _agent and group is not None else ""


class Reader:
    """Sums cells and edge facts of one workspace and range into tallies per group."""

    def __init__(self, db: Session, workspace: Workspace, f: ReportFilter) -> None:
        self.db, self.workspace, self.f = db, workspace, f
        self.zone = ZoneInfo(workspace.timezone or "UTC")

    def sums(self, grain: str, measures: tuple[str, ...], key: Key, *, by_period: bool,
             axis: Any = TicketFact.created_at) -> Sums:
        """``axis`` is the fact column the range applies to; None for replies (their own time)."""
        span = split(self.f.start, self.f.end, self.zone, grain == "week")
        out: dict[Any, Tally] = {}
        if span.cells:
            for period, measure, subject, bucket, n, total in cells_repo.cell_sums(
                self.db, self.workspace.id, grain, measures, span.lo, span.hi, by_period
            ):
                out.setdefault(key(period or "", subject), Tally()).add(measure, subject, bucket, n, total, None)
        for (lo, hi), sign in [*((e, 1) for e in span.edges), *((e, -1) for e in span.excess)]:
            edge = ReportFilter(start=lo, end=hi)
            if axis is None:
                grouping = GroupBy.DAY if key is _day else GroupBy.AGENT if key is _agent else None
                for k, n in repo.replies_in_range(self.db, self.workspace.id, edge, grouping, self.zone).items():
                    subject = "" if key is not _agent or k is None else str(k)
                    out.setdefault(k, Tally()).add("replies", subject, COUNT, sign * n, 0, None)
                continue
            query = repo.filtered_facts(self.workspace.id, edge, date_column=axis)
            weekly = grain == "week"
            for fact in cells_repo.fact_rows(self.db, query, WEEK_COLUMNS if weekly else None):
                for part in week_parts(fact) if weekly else contributions(fact, self.zone):
                    g, measure, period, subject, bucket = part.key
                    if g == grain and measure in measures:
                        out.setdefault(key(period, subject), Tally()).add(
                            measure, subject, bucket, sign * part.n, sign * part.total, part.value)
        return Sums(out, span, grain, key, by_period)

    def stats(self, sums: Sums, measure: str) -> dict[Any, Stats]:
        """Each group's statistics of a duration measure, reading only the needed buckets."""
        if measure == "csat":  # a score's bucket is the score itself
            def scores(t: Tally) -> Callable[[int], list[float]]:
                return lambda b: [float(b)] * t.dist("csat").buckets[b]
            return {k: t.dist(measure).stats(scores(t)) for k, t in sums.groups.items()}
        wanted = {(*sums.cell_of(k), b) for k, t in sums.groups.items() for b in t.dist(measure).needed()}
        values = (cells_repo.cell_values(self.db, self.workspace.id, sums.grain, measure, sums.span.lo,
                                         sums.span.hi, wanted, sums.by_period) if sums.span.cells else {})

        def stored(group: Any) -> Callable[[int], list[float]]:
            period, subject = sums.cell_of(group)
            return lambda b: list(values.get((period, subject, b), []))
        return {k: t.dist(measure).stats(stored(k)) for k, t in sums.groups.items()}


def figures(db: Session, workspace: Workspace, metric: Metric, f: ReportFilter, group: GroupBy | None,
            now: datetime) -> tuple[dict[str, Any], dict[Any, dict[str, Any]]]:
    """(total, groups) of a figure that ``answers`` says the cells hold."""
    reader = Reader(db, workspace, f)
    if metric is Metric.VOLUME:
        return _volume(reader, group)
    if metric is Metric.HANDLED:
        return _handled(reader, group)
    total = _summaries(reader, metric, "day", _whole, False, now)[None]
    if group is None:
        return total, {}
    if group is GroupBy.DAY:
        return total, _summaries(reader, metric, "day", _day, True, now)
    return total, _summaries(reader, metric, "week", _agent, False, now)


def _summaries(reader: Reader, metric: Metric, grain: str, key: Key, by_period: bool,
               now: datetime) -> dict[Any, dict[str, Any]]:
    measures = MEASURES[metric]
    sums = reader.sums(grain, measures, key, by_period=by_period)
    if key is _whole:
        sums.groups.setdefault(None, Tally())
    sums.groups = {k: t for k, t in sums.groups.items() if key is _whole or t.count("tickets")}
    durations = [m for m in measures if m in DAY_DURATIONS or m == "csat"]
    stats = {m: reader.stats(sums, m) for m in durations}
    pending: dict[str, dict[Any, int]] = {}
    if metric is Metric.SLA:
        for name, due, done in (
            ("sla_fr", TicketFact.sla_first_response_due_at, TicketFact.first_response_at),
            ("sla_res", TicketFact.sla_resolution_due_at, TicketFact.closed_at),
        ):
            per_day = cells_repo.pending_sla(reader.db, reader.workspace.id, reader.f.start, reader.f.end,
                                             due, done, now)
            pending[name] = dict(per_day) if by_period else {None: sum(per_day.values())}
    return {k: _summary(metric, t, {m: s[k] for m, s in stats.items()}, pending, k) for k, t in sums.groups.items()}


def _summary(metric: Metric, t: Tally, stats: dict[str, Stats], pending: dict[str, dict[Any, int]],
             key: Any) -> dict[str, Any]:
    tickets = t.count("tickets")
    if metric is Metric.FIRST_RESPONSE_TIME:
        responded = t.dist("fr").n
        return {"tickets": tickets, "responded": responded, "unanswered": tickets - responded,
                "calendar": stats["fr"].model_dump(), "business": stats["fr_business"].model_dump(),
                "automatic": stats["fr_auto"].model_dump()}
    if metric is Metric.CLOSE_TIME:
        return {"closed": t.dist("close").n, "calendar": stats["close"].model_dump(),
                "business": stats["close_business"].model_dump()}
    if metric is Metric.REOPENS:
        closed, reopened = t.count("ever_closed"), t.count("reopened")
        return {"tickets": tickets, "closed_tickets": closed, "reopened_tickets": reopened,
                "reopens": t.sum("reopened"), "reopen_rate": ratio(reopened, closed),
                "gratitude_messages": t.sum("gratitude")}
    if metric is Metric.CSAT:
        scores: Counter[int] = t.dist("csat").buckets
        sent, answered = t.count("csat_sent"), t.dist("csat").n
        return {"surveys_sent": sent, "responses": answered, "response_rate": ratio(answered, sent),
                "score": stats["csat"].model_dump(),
                "satisfied_rate": ratio(scores[4] + scores[5], answered),
                "distribution": {str(n): scores[n] for n in range(1, 6)}}
    out: dict[str, Any] = {"tickets": tickets}
    for name, label in (("sla_fr", "first_response"), ("sla_res", "resolution")):
        met, late, waiting = t.count(name + "_met"), t.count(name + "_late"), t.count(name + "_open")
        ahead = pending[name].get(key, 0)
        breached = late + waiting - ahead
        out[label] = {"with_target": met + breached + ahead, "met": met, "breached": breached,
                      "pending": ahead, "within_rate": ratio(met, met + breached)}
    return out


def _volume(reader: Reader, group: GroupBy | None) -> tuple[dict[str, Any], dict[Any, dict[str, Any]]]:
    whole = reader.sums("day", ("tickets",), _whole, by_period=False).groups.get(None, Tally())
    total = {"tickets": whole.count("tickets"), "messages": whole.sum("tickets")}
    groups: dict[Any, dict[str, Any]] = {}
    if group is GroupBy.TAG or group is GroupBy.HOUR:
        measure = "tag" if group is GroupBy.TAG else "hour"
        t = reader.sums("day", (measure,), _whole, by_period=False).groups.get(None, Tally())
        for (_, subject), (n, messages) in t.counts.items():
            if n:
                groups[subject if group is GroupBy.TAG else int(subject)] = {"tickets": n, "messages": messages}
    elif group is not None:
        for day, t in reader.sums("day", ("tickets",), _day, by_period=True).groups.items():
            key = day if group is GroupBy.DAY else date.fromisoformat(day).weekday()
            cell = groups.setdefault(key, {"tickets": 0, "messages": 0})
            cell["tickets"] += t.count("tickets")
            cell["messages"] += t.sum("tickets")
    return total, groups


def heatmap(db: Session, workspace: Workspace, f: ReportFilter) -> list[list[int]]:
    """New tickets per local weekday × hour, from the hour cells of each day."""
    grid = [[0] * 24 for _ in range(7)]
    for day, t in Reader(db, workspace, f).sums("day", ("hour",), _day, by_period=True).groups.items():
        weekday = date.fromisoformat(day).weekday()
        for (_, hour), (n, _) in t.counts.items():
            grid[weekday][int(hour)] += n
    return grid


def _handled(reader: Reader, group: GroupBy | None) -> tuple[dict[str, Any], dict[Any, dict[str, Any]]]:
    def sums(key: Key, by_period: bool) -> dict[Any, dict[str, Any]]:
        closed = reader.sums("day", ("closed",), key, by_period=by_period, axis=TicketFact.closed_at).groups
        replied = reader.sums("day", ("replies",), key, by_period=by_period, axis=None).groups
        out: dict[Any, dict[str, Any]] = {
            k: {"closed": t.count("closed"), "closed_without_reply": t.sum("closed")}
            for k, t in closed.items() if t.count("closed")
        }
        for k, t in replied.items():
            if not t.count("replies"):
                continue
            out.setdefault(k, {"closed": 0, "closed_without_reply": 0})["replies"] = t.count("replies")
        for values in out.values():
            values.setdefault("replies", 0)
        return out

    total = sums(_whole, False).get(None, {"closed": 0, "closed_without_reply": 0, "replies": 0})
    if group is None:
        return total, {}
    return total, sums(_day if group is GroupBy.DAY else _agent, group is GroupBy.DAY)
