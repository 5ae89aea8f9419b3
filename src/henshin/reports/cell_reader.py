"""Cells and edge facts of one range summed per group: counts, and histograms whose
medians and p90s read only the buckets their ranks fall in.

A range is split into whole local days (or Monday-to-Sunday weeks) read from the cells and
partial days at its ends read from the facts, added the same way (or, where a week cell
reaching past the range means fewer days to read, taken back out of it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from henshin.models import TicketFact, Workspace
from henshin.reports import cell_repository as cells_repo
from henshin.reports import repository as repo
from henshin.reports.cells import (
    COUNT,
    DAY_DURATIONS,
    WEEK_DURATIONS,
    Part,
    bucket,
    contributions,
    subject_of,
    week_of,
)
from henshin.reports.histograms import Floats, Histograms, Slot, values_of
from henshin.reports.schemas import GroupBy, ReportFilter, Stats
from henshin.reports.stats import micros

# The fact columns a week's edge facts are read with (then the durations asked for).
WEEK_FACT_COLUMNS = ("is_spam", "created_day", "agent_id", "inbound_messages", "csat_sent_at", "csat_score")
# Measures kept as histogram buckets (durations; a CSAT score is its own bucket).
HISTOGRAMS = {*DAY_DURATIONS, "csat"}
EMPTY = Stats(count=0, mean=None, median=None, p90=None)


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
    """One group's counts: [tickets (or messages…), their total] per (measure, subject)."""

    counts: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def add(self, measure: str, subject: str, n: int, total: int) -> None:
        cell = self.counts.setdefault((measure, subject), [0, 0])
        cell[0] += n
        cell[1] += total

    def count(self, measure: str) -> int:
        return sum(v[0] for (m, _), v in self.counts.items() if m == measure)

    def sum(self, measure: str) -> int:
        return sum(v[1] for (m, _), v in self.counts.items() if m == measure)


Key = Callable[[str, str], Any]  # (period, subject) → group key


def agent_key(_period: str, subject: str) -> int | None:
    return int(subject) if subject else None


def whole_key(_period: str, _subject: str) -> None:
    return None


def day_key(period: str, _subject: str) -> str:
    return period


@dataclass
class Sums:
    """Counts per group key, a histogram per duration measure (group ``i`` is ``keys[i]``),
    and where their cells lie (to read bucket values later)."""

    span: Span
    grain: str
    key: Key
    keys: list[Any] = field(default_factory=list)
    tallies: list[Tally] = field(default_factory=list)
    histograms: dict[str, Histograms] = field(default_factory=dict)
    index: dict[Any, int] = field(default_factory=dict)
    places: dict[tuple[str | None, str], int] = field(default_factory=dict)

    def group(self, key: Any) -> int:
        if key not in self.index:
            self.index[key] = len(self.keys)
            self.keys.append(key)
            self.tallies.append(Tally())
        return self.index[key]

    def place(self, period: str | None, subject: str) -> int:
        """The group of a cell's (period, subject); period None for sums over periods."""
        if (period, subject) not in self.places:
            self.places[period, subject] = self.group(self.key(period or "", subject))
        return self.places[period, subject]

    @property
    def groups(self) -> dict[Any, Tally]:
        return dict(zip(self.keys, self.tallies, strict=True))

    def add_parts(self, parts: Iterable[Part], sign: int, measures: tuple[str, ...]) -> None:
        """Edge facts' parts in this grain and these measures (``sign`` -1 takes the parts of
        facts past the range back out of the cells that hold them)."""
        places, grain = self.places, self.grain
        for part in parts:
            g, measure, period, subject, bucket_ = part.key
            if g != grain or measure not in measures:
                continue
            group = places.get((period, subject))
            if group is None:
                group = self.place(period, subject)
            if bucket_ == COUNT:
                self.tallies[group].add(measure, subject, sign * part.n, sign * part.total)
            else:
                self.histograms.setdefault(measure, Histograms()).add_fact(
                    group, bucket_, sign * part.n, sign * part.total, part.value)

    def add_week_facts(self, rows: Iterable[Sequence[Any]], sign: int, measures: tuple[str, ...]) -> None:
        """Edge facts of week cells, as rows of ``week_fact_columns(measures)``: what
        ``cells.week_parts`` gives them, read as plain columns.

        The partial weeks at the ends of a year are thousands of facts; a ``Part`` object
        per value cost more than all the cells of the figure. A unit test holds this to
        ``week_parts``; the exactness test holds both to the facts.
        """
        durations = [m for m in WEEK_DURATIONS if m in measures]
        histograms = [self.histograms.setdefault(m, Histograms()) for m in durations]
        scores = self.histograms.setdefault("csat", Histograms()) if "csat" in measures else None
        weeks: dict[str, str] = {}
        for spam, day, agent, messages, sent, score, *values in rows:
            if spam:
                continue
            week = weeks.get(day) or weeks.setdefault(day, week_of(day))
            subject = subject_of(agent)
            group = self.place(week, subject)
            if "tickets" in measures:
                self.tallies[group].add("tickets", subject, sign, sign * int(messages))
            for histogram, value in zip(histograms, values, strict=True):
                if value is not None:
                    histogram.add_fact(group, bucket(value), sign, sign * micros(value), float(value))
            if sent is not None and "csat_sent" in measures:
                self.tallies[group].add("csat_sent", subject, sign, 0)
            if score is not None and scores is not None:
                scores.add_fact(group, int(score), sign, sign * micros(int(score)), None)


def week_fact_columns(measures: tuple[str, ...]) -> list[str]:
    """The fact columns ``Sums.add_week_facts`` reads for these measures, in its order."""
    return [*WEEK_FACT_COLUMNS, *(column for m, column in WEEK_DURATIONS.items() if m in measures)]


class Reader:
    """Sums cells and edge facts of one workspace and range per group, and reads back the
    bucket values their medians and p90s need."""

    def __init__(self, db: Session, workspace: Workspace, f: ReportFilter) -> None:
        self.db, self.workspace, self.f = db, workspace, f
        self.zone = ZoneInfo(workspace.timezone or "UTC")

    def sums(self, grain: str, measures: tuple[str, ...], key: Key, *, by_period: bool,
             axis: Any = TicketFact.created_at) -> Sums:
        """``axis`` is the fact column the range applies to; None for replies (their own time)."""
        span = split(self.f.start, self.f.end, self.zone, grain == "week")
        out = Sums(span, grain, key)
        for measure in measures if span.cells else ():
            if measure in HISTOGRAMS:
                self._add_buckets(out, measure, by_period)
                continue
            for period, subject, _, n, total in cells_repo.cell_sums(
                    self.db, self.workspace.id, grain, measure, span.lo, span.hi, by_period):
                out.tallies[out.place(period, subject)].add(measure, subject, n, total)
        for (lo, hi), sign in [*((e, 1) for e in span.edges), *((e, -1) for e in span.excess)]:
            edge = ReportFilter(start=lo, end=hi)
            if axis is None:
                grouping = GroupBy.DAY if key is day_key else GroupBy.AGENT if key is agent_key else None
                for k, n in repo.replies_in_range(self.db, self.workspace.id, edge, grouping, self.zone).items():
                    subject = "" if key is not agent_key or k is None else str(k)
                    out.tallies[out.group(k)].add("replies", subject, sign * n, 0)
                continue
            query = repo.filtered_facts(self.workspace.id, edge, date_column=axis)
            if grain == "week":
                out.add_week_facts(cells_repo.fact_tuples(self.db, query, week_fact_columns(measures)), sign, measures)
            else:
                facts = cells_repo.fact_rows(self.db, query)
                out.add_parts((part for fact in facts for part in contributions(fact, self.zone)), sign, measures)
        return out

    def _add_buckets(self, out: Sums, measure: str, by_period: bool) -> None:
        rows = cells_repo.bucket_sums(self.db, self.workspace.id, out.grain, measure, out.span.lo, out.span.hi,
                                      by_period)
        groups = [out.place(period, subject) for period, subject, *_ in rows]
        pairs = np.fromstring(" ".join(r[4] for r in rows), dtype=np.int64, sep=" ").reshape(-1, 2)
        totals: dict[int, int] = {}
        for group, (_, _, total, _, _) in zip(groups, rows, strict=True):
            totals[group] = totals.get(group, 0) + total
        out.histograms.setdefault(measure, Histograms()).add_cells(
            np.repeat(np.asarray(groups, dtype=np.int64), [r[3] for r in rows]), pairs[:, 0], pairs[:, 1], totals)

    def stats(self, sums: Sums, measure: str) -> tuple[dict[Any, Stats], Stats]:
        """Each group's statistics of a duration measure, and the whole range's (every group
        together), reading only the buckets their ranks fall in."""
        groups = sums.histograms.get(measure, Histograms())
        whole = groups.whole()
        if measure == "csat":  # a score's bucket is the score itself
            stored = [{(g, b): [np.full(n, float(b))] for g, counts in h.scores().items() for b, n in counts.items()}
                      for h in (groups, whole)]
        else:
            stored = self._stored(sums, measure, groups, whole)
        per_group = groups.stats(stored[0])
        return {sums.keys[g]: s for g, s in per_group.items()}, whole.stats(stored[1]).get(0, EMPTY)

    def _stored(self, sums: Sums, measure: str, groups: Histograms, whole: Histograms,
                ) -> list[dict[Slot, list[Floats]]]:
        """The cell values of the buckets the groups' and the whole's ranks fall in."""
        out: list[dict[Slot, list[Floats]]] = [{}, {}]
        if not sums.span.cells:
            return out
        by_period = sums.key is day_key
        slots = groups.ranks().slots()
        wanted: dict[int, set[tuple[str | None, str]]] = {}
        for g, b in slots:
            key = sums.keys[g]
            wanted.setdefault(b, set()).add((key, "") if by_period else (None, "" if key is None else str(key)))
        everywhere = {b for _, b in whole.ranks().slots()}
        for period, subject, b, packed in cells_repo.cell_values(
                self.db, self.workspace.id, sums.grain, measure, sums.span.lo, sums.span.hi, wanted, everywhere):
            values = values_of(packed)
            if b in everywhere:
                out[1].setdefault((0, b), []).append(values)
            group = sums.index.get(sums.key(period, subject))
            if group is not None and (group, b) in slots:
                out[0].setdefault((group, b), []).append(values)
        return out
