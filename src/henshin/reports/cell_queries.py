"""The report figures read from the cells (summed by ``cell_reader``): whole local days
(or weeks) from the cells, the partial days at the ends of the range from the facts.

Cells hold non-spam tickets of the whole workspace, so they answer a range with no other
filter; any other filter, and groupings the cells do not keep, go to the facts
(``queries.run_report`` decides). The figures are the same either way: the tests compare
both on random data.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from henshin.models import TicketFact, Workspace
from henshin.reports import cell_repository as cells_repo
from henshin.reports.cell_reader import (
    EMPTY,
    HISTOGRAMS,
    Key,
    Reader,
    Tally,
    agent_key,
    day_key,
    whole_key,
)
from henshin.reports.histograms import Histograms
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


def answers(f: ReportFilter, metric: Metric, group: GroupBy | None) -> bool:
    """Whether the cells hold this figure: only a date range, spam left out."""
    return not f.include_spam and not f.narrows() and group in SUPPORTED.get(metric, set())


def figures(db: Session, workspace: Workspace, metric: Metric, f: ReportFilter, group: GroupBy | None,
            now: datetime) -> tuple[dict[str, Any], dict[Any, dict[str, Any]]]:
    """(total, groups) of a figure that ``answers`` says the cells hold."""
    reader = Reader(db, workspace, f)
    if metric is Metric.VOLUME:
        return _volume(reader, group)
    if metric is Metric.HANDLED:
        return _handled(reader, group)
    # The total comes from the same sums as the groups: every group together.
    if group is GroupBy.DAY:
        return _summaries(reader, metric, "day", day_key, now)
    if group is GroupBy.AGENT:
        return _summaries(reader, metric, "week", agent_key, now)
    return _summaries(reader, metric, "day", whole_key, now)[0], {}


def _summaries(reader: Reader, metric: Metric, grain: str, key: Key, now: datetime,
               ) -> tuple[dict[str, Any], dict[Any, dict[str, Any]]]:
    measures = MEASURES[metric]
    sums = reader.sums(grain, measures, key, by_period=key is day_key)
    total = Tally()
    for t in sums.tallies:
        for (measure, subject), (n, messages) in t.counts.items():
            total.add(measure, subject, n, messages)
    stats = {m: reader.stats(sums, m) for m in measures if m in HISTOGRAMS}
    scores = sums.histograms.get("csat", Histograms())
    per_group_scores = scores.scores()
    pending: dict[str, dict[Any, int]] = {}
    if metric is Metric.SLA:
        for name, due, done in (
            ("sla_fr", TicketFact.sla_first_response_due_at, TicketFact.first_response_at),
            ("sla_res", TicketFact.sla_resolution_due_at, TicketFact.closed_at),
        ):
            pending[name] = dict(cells_repo.pending_sla(reader.db, reader.workspace.id, reader.f.start,
                                                        reader.f.end, due, done, now))
    whole = _summary(metric, total, {m: s[1] for m, s in stats.items()},
                     scores.whole().scores().get(0, Counter()), {n: sum(p.values()) for n, p in pending.items()})
    groups = {
        k: _summary(metric, t, {m: s[0].get(k, EMPTY) for m, s in stats.items()},
                    per_group_scores.get(sums.index[k], Counter()), {n: p.get(k, 0) for n, p in pending.items()})
        for k, t in sums.groups.items() if key is not whole_key and t.count("tickets")
    }
    return whole, groups


def _summary(metric: Metric, t: Tally, stats: dict[str, Stats], scores: Counter[int],
             pending: dict[str, int]) -> dict[str, Any]:
    tickets = t.count("tickets")
    if metric is Metric.FIRST_RESPONSE_TIME:
        responded = stats["fr"].count
        return {"tickets": tickets, "responded": responded, "unanswered": tickets - responded,
                "calendar": stats["fr"].model_dump(), "business": stats["fr_business"].model_dump(),
                "automatic": stats["fr_auto"].model_dump()}
    if metric is Metric.CLOSE_TIME:
        return {"closed": stats["close"].count, "calendar": stats["close"].model_dump(),
                "business": stats["close_business"].model_dump()}
    if metric is Metric.REOPENS:
        closed, reopened = t.count("ever_closed"), t.count("reopened")
        return {"tickets": tickets, "closed_tickets": closed, "reopened_tickets": reopened,
                "reopens": t.sum("reopened"), "reopen_rate": ratio(reopened, closed),
                "gratitude_messages": t.sum("gratitude")}
    if metric is Metric.CSAT:
        sent, answered = t.count("csat_sent"), stats["csat"].count
        return {"surveys_sent": sent, "responses": answered, "response_rate": ratio(answered, sent),
                "score": stats["csat"].model_dump(),
                "satisfied_rate": ratio(scores[4] + scores[5], answered),
                "distribution": {str(n): scores[n] for n in range(1, 6)}}
    out: dict[str, Any] = {"tickets": tickets}
    for name, label in (("sla_fr", "first_response"), ("sla_res", "resolution")):
        met, late, waiting = t.count(name + "_met"), t.count(name + "_late"), t.count(name + "_open")
        ahead = pending[name]
        breached = late + waiting - ahead
        out[label] = {"with_target": met + breached + ahead, "met": met, "breached": breached,
                      "pending": ahead, "within_rate": ratio(met, met + breached)}
    return out


def _volume(reader: Reader, group: GroupBy | None) -> tuple[dict[str, Any], dict[Any, dict[str, Any]]]:
    whole = reader.sums("day", ("tickets",), whole_key, by_period=False).groups.get(None, Tally())
    total = {"tickets": whole.count("tickets"), "messages": whole.sum("tickets")}
    groups: dict[Any, dict[str, Any]] = {}
    if group is GroupBy.TAG or group is GroupBy.HOUR:
        measure = "tag" if group is GroupBy.TAG else "hour"
        t = reader.sums("day", (measure,), whole_key, by_period=False).groups.get(None, Tally())
        for (_, subject), (n, messages) in t.counts.items():
            if n:
                groups[subject if group is GroupBy.TAG else int(subject)] = {"tickets": n, "messages": messages}
    elif group is not None:
        for day, t in reader.sums("day", ("tickets",), day_key, by_period=True).groups.items():
            key = day if group is GroupBy.DAY else date.fromisoformat(day).weekday()
            cell = groups.setdefault(key, {"tickets": 0, "messages": 0})
            cell["tickets"] += t.count("tickets")
            cell["messages"] += t.sum("tickets")
    return total, groups


def heatmap(db: Session, workspace: Workspace, f: ReportFilter) -> list[list[int]]:
    """New tickets per local weekday × hour, from the hour cells of each day."""
    grid = [[0] * 24 for _ in range(7)]
    for day, t in Reader(db, workspace, f).sums("day", ("hour",), day_key, by_period=True).groups.items():
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

    total = sums(whole_key, False).get(None, {"closed": 0, "closed_without_reply": 0, "replies": 0})
    if group is None:
        return total, {}
    return total, sums(day_key if group is GroupBy.DAY else agent_key, group is GroupBy.DAY)
