"""Reports as JSON or CSV: every metric, filtered and grouped; per-ticket rows for drill-down."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import ValidationError

from henshin.kit.errors import InvalidInput
from henshin.models.workspace import Role
from henshin.reports.export import report_csv, ticket_page, tickets_csv
from henshin.reports.params import parse_group, parse_metric, parse_range
from henshin.reports.queries import run_report
from henshin.reports.schemas import ReportFilter, ReportOut, TicketFactPage
from henshin.web.deps import Caller, CurrentCaller, DbSession

router = APIRouter(prefix="/reports", tags=["reports"])
Ints = Annotated[list[int], Query()]
Strs = Annotated[list[str], Query()]


def report_filter(
    caller: Caller, start: str | None, end: str | None, *, channel_id: list[int], network: list[str],
    kind: list[str], team_id: list[int], agent_id: list[int], tag: list[str], priority: list[str],
    language: list[str], sentiment: list[str], hour: list[int], weekday: list[int],
    include_spam: bool = False,
) -> ReportFilter:
    """The filter from query parameters; agents see only their own tickets."""
    lo, hi = parse_range(start, end, ZoneInfo(caller.workspace.timezone))
    if caller.role is Role.AGENT:
        agent_id = [caller.user_id]
    try:
        return ReportFilter(
            start=lo, end=hi, channel_id=channel_id, network=network, kind=kind, team_id=team_id,
            agent_id=agent_id, tag=[t.strip().lower() for t in tag], priority=priority,
            language=language, sentiment=sentiment, hour=hour, weekday=weekday,
            include_spam=include_spam,
        )
    except ValidationError as exc:
        raise InvalidInput("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                     for e in exc.errors())) from exc


def _check_cells(hour: list[int], weekday: list[int]) -> None:
    if any(not 0 <= h <= 23 for h in hour):
        raise InvalidInput("hour must be between 0 and 23")
    if any(not 0 <= d <= 6 for d in weekday):
        raise InvalidInput("weekday must be between 0 (Monday) and 6 (Sunday)")


@router.get("/tickets", response_model=TicketFactPage)
def report_tickets(
    caller: CurrentCaller, db: DbSession,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
    channel_id: Ints = [], network: Strs = [], kind: Strs = [], team_id: Ints = [],  # noqa: B006
    agent_id: Ints = [], tag: Strs = [], priority: Strs = [], language: Strs = [],  # noqa: B006
    sentiment: Strs = [], hour: Ints = [], weekday: Ints = [],  # noqa: B006
    include_spam: bool = False,
    cursor: int = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    format: Literal["json", "csv"] = "json",
) -> TicketFactPage | StreamingResponse:
    """One row per ticket with all its timings: the tickets behind any figure (or CSV of all)."""
    _check_cells(hour, weekday)
    f = report_filter(caller, from_, to, channel_id=channel_id, network=network, kind=kind,
                      team_id=team_id, agent_id=agent_id, tag=tag, priority=priority,
                      language=language, sentiment=sentiment, hour=hour, weekday=weekday,
                      include_spam=include_spam)
    if format == "csv":
        return StreamingResponse(
            tickets_csv(db, caller.workspace_id, f), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="henshin-tickets.csv"'},
        )
    return ticket_page(db, caller.workspace_id, f, after_id=cursor, limit=limit)


@router.get("/{metric}", response_model=ReportOut)
def report(
    metric: str, caller: CurrentCaller, db: DbSession,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
    group_by: str | None = None,
    channel_id: Ints = [], network: Strs = [], kind: Strs = [], team_id: Ints = [],  # noqa: B006
    agent_id: Ints = [], tag: Strs = [], priority: Strs = [], language: Strs = [],  # noqa: B006
    sentiment: Strs = [], hour: Ints = [], weekday: Ints = [],  # noqa: B006
    include_spam: bool = False,
    format: Literal["json", "csv"] = "json",
) -> ReportOut | PlainTextResponse:
    """One metric (first-response-time, next-response-time, close-time, reopens, handled, csat,
    volume, sla, backlog) with mean, median and p90, optionally grouped."""
    _check_cells(hour, weekday)
    chosen = parse_metric(metric)
    group = parse_group(group_by)
    f = report_filter(caller, from_, to, channel_id=channel_id, network=network, kind=kind,
                      team_id=team_id, agent_id=agent_id, tag=tag, priority=priority,
                      language=language, sentiment=sentiment, hour=hour, weekday=weekday,
                      include_spam=include_spam)
    out = run_report(db, caller.workspace, chosen, f, group)
    if format == "csv":
        return PlainTextResponse(
            report_csv(out), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="henshin-{chosen.value}.csv"'},
        )
    return out
