"""The report figures: each metric over the filtered facts, whole and grouped.

A range with no other filter is read from the cells (``cell_queries``: a year is a few
hundred thousand small rows). Otherwise durations are aggregated in Python from one narrow
column query over the facts (a month of a busy workspace is tens of thousands of floats);
counts are grouped in SQL. Both give the same figures; ``use_cells=False`` forces the facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from henshin.kit.time import utc_now
from henshin.models import TicketFact, Workspace
from henshin.reports import cell_queries
from henshin.reports import repository as repo
from henshin.reports.schemas import GroupBy, Metric, ReportFilter, ReportOut, ReportRow
from henshin.reports.stats import describe, ratio

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TIME_GROUPS = {GroupBy.DAY, GroupBy.HOUR, GroupBy.WEEKDAY}
GROUP_COLUMNS = repo.FACT_KEYS

Summarize = Callable[[list[tuple[Any, ...]]], dict[str, Any]]


def _local_key(group: GroupBy, moment: datetime, zone: ZoneInfo) -> str | int:
    local = moment.astimezone(zone)
    if group is GroupBy.DAY:
        return local.date().isoformat()
    return local.hour if group is GroupBy.HOUR else local.weekday()


def _grouped_rows(db: Session, workspace: Workspace, f: ReportFilter, group: GroupBy | None,
                  columns: Sequence[Any], date_column: Any = None) -> list[tuple[Any, ...]]:
    """Rows ``(key, *columns)``; time keys come from ``date_column`` in the workspace zone."""
    date_column = TicketFact.created_at if date_column is None else date_column
    query = repo.filtered_facts(workspace.id, f, date_column=date_column)
    if group is None:
        return [(None, *r) for r in repo.fact_columns(db, query, columns)]
    if group is GroupBy.TAG:
        return repo.fact_columns_by_tag(db, query, columns)
    if group in TIME_GROUPS and date_column is not TicketFact.created_at:
        zone = ZoneInfo(workspace.timezone)
        rows = repo.fact_columns(db, query, [date_column, *columns])
        return [(_local_key(group, r[0], zone), *r[1:]) for r in rows]
    return repo.fact_columns(db, query, [GROUP_COLUMNS[group], *columns])


def _split(rows: list[tuple[Any, ...]]) -> dict[Any, list[tuple[Any, ...]]]:
    groups: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        groups[row[0]].append(row[1:])
    return groups


def _first_response(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    answered = [r for r in rows if r[0] is not None]
    return {
        "tickets": len(rows),
        "responded": len(answered),
        "unanswered": len(rows) - len(answered),
        "calendar": describe(r[0] for r in rows).model_dump(),
        "business": describe(r[1] for r in rows).model_dump(),
        "automatic": describe(r[2] for r in rows).model_dump(),
    }


def _next_response(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    waited = [r for r in rows if r[2]]
    return {
        "tickets": len(waited),
        "responses": sum(r[2] for r in waited),
        "calendar": describe(r[0] for r in waited).model_dump(),
        "business": describe(r[1] for r in waited).model_dump(),
    }


def _close_time(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    return {
        "closed": sum(1 for r in rows if r[0] is not None),
        "calendar": describe(r[0] for r in rows).model_dump(),
        "business": describe(r[1] for r in rows).model_dump(),
    }


def _reopens(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    ever_closed = sum(1 for r in rows if r[1] is not None or r[0] > 0)
    reopened = sum(1 for r in rows if r[0] > 0)
    return {
        "tickets": len(rows),
        "closed_tickets": ever_closed,
        "reopened_tickets": reopened,
        "reopens": sum(r[0] for r in rows),
        "reopen_rate": ratio(reopened, ever_closed),
        "gratitude_messages": sum(r[2] for r in rows),
    }


def _csat(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    sent = sum(1 for r in rows if r[0] is not None)
    scores = [int(r[1]) for r in rows if r[1] is not None]
    return {
        "surveys_sent": sent,
        "responses": len(scores),
        "response_rate": ratio(len(scores), sent),
        "score": describe(scores).model_dump(),
        "satisfied_rate": ratio(sum(1 for s in scores if s >= 4), len(scores)),
        "distribution": {str(n): scores.count(n) for n in range(1, 6)},
    }


def _sla(now: datetime) -> Summarize:
    def judge(due: datetime | None, done: datetime | None) -> str | None:
        if due is None:
            return None
        if done is not None:
            return "met" if done <= due else "breached"
        return "breached" if due < now else "pending"

    def summarize(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
        out: dict[str, Any] = {"tickets": len(rows)}
        for name, (d, x) in (("first_response", (0, 1)), ("resolution", (2, 3))):
            verdicts = [judge(r[d], r[x]) for r in rows]
            met, breached = verdicts.count("met"), verdicts.count("breached")
            out[name] = {
                "with_target": met + breached + verdicts.count("pending"),
                "met": met,
                "breached": breached,
                "pending": verdicts.count("pending"),
                "within_rate": ratio(met, met + breached),
            }
        return out
    return summarize


def _handled(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    return {
        "closed": len(rows),
        "closed_without_reply": sum(1 for r in rows if r[0]),
    }


PLANS: dict[Metric, tuple[list[Any], Summarize]] = {
    Metric.FIRST_RESPONSE_TIME: (
        [TicketFact.first_response_seconds, TicketFact.first_response_business_seconds,
         TicketFact.auto_response_seconds], _first_response),
    Metric.NEXT_RESPONSE_TIME: (
        [TicketFact.next_response_seconds, TicketFact.next_response_business_seconds,
         TicketFact.next_response_count], _next_response),
    Metric.CLOSE_TIME: ([TicketFact.close_seconds, TicketFact.close_business_seconds], _close_time),
    Metric.REOPENS: ([TicketFact.reopens, TicketFact.closed_at, TicketFact.gratitude_messages], _reopens),
    Metric.CSAT: ([TicketFact.csat_sent_at, TicketFact.csat_score], _csat),
}


def _labels(db: Session, workspace: Workspace, group: GroupBy | None) -> dict[Any, str]:
    if group is GroupBy.AGENT:
        return dict(repo.names_of_people(db, workspace.id))
    if group is GroupBy.TEAM:
        return dict(repo.names_of_teams(db, workspace.id))
    if group is GroupBy.CHANNEL:
        return dict(repo.names_of_channels(db, workspace.id))
    if group is GroupBy.WEEKDAY:
        return dict(enumerate(WEEKDAY_NAMES))
    return {}


def _sort_key(key: Any) -> tuple[int, Any]:
    return (1, "") if key is None else (0, key if isinstance(key, int) else str(key))


def _assemble(db: Session, workspace: Workspace, metric: Metric, f: ReportFilter,
              group: GroupBy | None, total: dict[str, Any],
              groups: dict[Any, dict[str, Any]]) -> ReportOut:
    labels = _labels(db, workspace, group)
    return ReportOut(
        metric=metric, group_by=group, start=f.start, end=f.end, timezone=workspace.timezone,
        recomputing_since=workspace.reports_rebuild_requested_at,
        total=ReportRow(key=None, values=total),
        groups=[
            ReportRow(key=k, label=labels.get(k, None if k is None else str(k)), values=v)
            for k, v in sorted(groups.items(), key=lambda item: _sort_key(item[0]))
        ],
    )


def run_report(db: Session, workspace: Workspace, metric: Metric, f: ReportFilter,
               group: GroupBy | None = None, *, now: datetime | None = None,
               use_cells: bool = True) -> ReportOut:
    """One metric over the workspace's filtered tickets, with per-group figures."""
    if use_cells and cell_queries.answers(f, metric, group):
        total, groups = cell_queries.figures(db, workspace, metric, f, group, now or utc_now())
        return _assemble(db, workspace, metric, f, group, total, groups)
    if metric is Metric.VOLUME:
        return _volume(db, workspace, f, group)
    if metric is Metric.BACKLOG:
        return _backlog(db, workspace, f)
    if metric is Metric.HANDLED:
        return _handled_report(db, workspace, f, group)
    if metric is Metric.SLA:
        columns = [TicketFact.sla_first_response_due_at, TicketFact.first_response_at,
                   TicketFact.sla_resolution_due_at, TicketFact.closed_at]
        summarize = _sla(now or utc_now())
    else:
        columns, summarize = PLANS[metric]
    rows = _grouped_rows(db, workspace, f, group, columns)
    # By tag a ticket counts once per tag it carries, so the whole is computed on its own.
    whole = rows if group is not GroupBy.TAG else _grouped_rows(db, workspace, f, None, columns)
    total = summarize([r[1:] for r in whole])
    groups = {k: summarize(v) for k, v in _split(rows).items()} if group is not None else {}
    return _assemble(db, workspace, metric, f, group, total, groups)


def _volume(db: Session, workspace: Workspace, f: ReportFilter, group: GroupBy | None) -> ReportOut:
    query = repo.filtered_facts(workspace.id, f)
    tickets, messages = repo.fact_totals(db, query)
    groups: dict[Any, dict[str, Any]] = {}
    if group is GroupBy.TAG:
        for tag, count, sent in repo.fact_counts_by_tag(db, query):
            groups[tag] = {"tickets": count, "messages": sent}
    elif group is not None:
        for key, count, sent in repo.fact_counts(db, query, [GROUP_COLUMNS[group]]):
            groups[key[0]] = {"tickets": count, "messages": sent}
    total = {"tickets": tickets, "messages": messages}
    return _assemble(db, workspace, Metric.VOLUME, f, group, total, groups)


def heatmap(db: Session, workspace: Workspace, f: ReportFilter, *, use_cells: bool = True) -> list[list[int]]:
    """New tickets per local weekday (rows, Monday first) × hour of day (columns)."""
    if use_cells and cell_queries.answers(f, Metric.VOLUME, None):
        return cell_queries.heatmap(db, workspace, f)
    grid = [[0] * 24 for _ in range(7)]
    query = repo.filtered_facts(workspace.id, f)
    for (weekday, hour), count, _messages in repo.fact_counts(
        db, query, [TicketFact.created_weekday, TicketFact.created_hour]
    ):
        grid[int(weekday)][int(hour)] = int(count)
    return grid


def _handled_report(db: Session, workspace: Workspace, f: ReportFilter,
                    group: GroupBy | None) -> ReportOut:
    by_closer = group is GroupBy.AGENT
    columns = [TicketFact.closed_without_reply]
    if by_closer:
        query = repo.filtered_facts(workspace.id, f, date_column=TicketFact.closed_at)
        rows = [(r[0], *r[1:]) for r in repo.fact_columns(db, query, [TicketFact.closed_by, *columns])]
    else:
        rows = _grouped_rows(db, workspace, f, group, columns, date_column=TicketFact.closed_at)
    whole = _grouped_rows(db, workspace, f, None, columns, date_column=TicketFact.closed_at)
    total = _handled([r[1:] for r in whole])
    groups = {k: _handled(v) for k, v in _split(rows).items()} if group is not None else {}
    replies = repo.replies_in_range(db, workspace.id, f, group, ZoneInfo(workspace.timezone))
    total["replies"] = sum(replies.values())
    for key, count in replies.items() if group is not None else ():
        groups.setdefault(key, {"closed": 0, "closed_without_reply": 0})["replies"] = count
    for values in groups.values():
        values.setdefault("replies", 0)
    return _assemble(db, workspace, Metric.HANDLED, f, group, total, groups)


def _backlog(db: Session, workspace: Workspace, f: ReportFilter) -> ReportOut:
    """Open tickets at the end of each local day in the range."""
    zone = ZoneInfo(workspace.timezone)
    end = f.end or utc_now()
    start = f.start or end - timedelta(days=30)
    start_day = start.astimezone(zone).date()
    end_day = (end - timedelta(microseconds=1)).astimezone(zone).date()
    open_now = repo.open_before(db, workspace.id, f, start)
    ranged = f.model_copy(update={"start": start, "end": end})
    created = {
        key[0]: int(count)
        for key, count, _ in repo.fact_counts(db, repo.filtered_facts(workspace.id, ranged), [TicketFact.created_day])
    }
    closed: dict[str, int] = defaultdict(int)
    for moment in repo.closed_at_values(db, workspace.id, ranged):
        closed[moment.astimezone(zone).date().isoformat()] += 1
    groups: dict[Any, dict[str, Any]] = {}
    day = start_day
    while day <= end_day:
        key = day.isoformat()
        open_now += created.get(key, 0) - closed.get(key, 0)
        groups[key] = {"open": open_now, "created": created.get(key, 0), "closed": closed.get(key, 0)}
        day += timedelta(days=1)
    total = {"open": open_now}
    return _assemble(db, workspace, Metric.BACKLOG, ranged, GroupBy.DAY, total, groups)


def people_names(db: Session, workspace_id: int) -> dict[int, str]:
    """Member id → name, for tables of agents."""
    return repo.names_of_people(db, workspace_id)


def open_tickets_of_agent(db: Session, workspace_id: int, agent_id: int) -> int:
    """How many of the agent's tickets are not closed now."""
    return repo.open_tickets_of_agent(db, workspace_id, agent_id)
