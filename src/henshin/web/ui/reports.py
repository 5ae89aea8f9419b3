"""The reports pages: the manager's dashboard, an agent's "my day", and the tickets behind a figure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from henshin.kit.errors import InvalidInput
from henshin.kit.time import utc_now
from henshin.models.workspace import Role
from henshin.reports.charts import Bar, bar_chart, heatmap_chart
from henshin.reports.dashboard import build_dashboard
from henshin.reports.export import ticket_page
from henshin.reports.params import parse_range
from henshin.reports.queries import open_tickets_of_agent, people_names, run_report
from henshin.reports.schemas import GroupBy, Metric, ReportFilter
from henshin.web.deps import Caller, DbSession
from henshin.web.ui.i18n import pick_language
from henshin.web.ui.rendering import PageCaller, render, zone_of

router = APIRouter(include_in_schema=False)
LIST_KEYS = ("channel_id", "agent_id", "team_id", "network", "kind", "tag", "priority", "hour", "weekday")
INT_KEYS = {"channel_id", "agent_id", "team_id", "hour", "weekday"}


def _filter(request: Request, caller: Caller, *, default_days: int = 30) -> tuple[ReportFilter, dict[str, Any]]:
    """The filter from the page's query string (default: the last 30 local days)."""
    zone = zone_of(caller.workspace.timezone)
    params = request.query_params
    today = utc_now().astimezone(zone).date()
    start_text = params.get("from") or (today - timedelta(days=default_days - 1)).isoformat()
    end_text = params.get("to") or today.isoformat()
    lo, hi = parse_range(start_text, end_text, zone)
    values: dict[str, Any] = {}
    for key in LIST_KEYS:
        raw = [v for item in params.getlist(key) for v in item.split(",") if v.strip()]
        try:
            values[key] = [int(v) for v in raw] if key in INT_KEYS else [v.strip().lower() for v in raw]
        except ValueError:
            raise InvalidInput(f"{key} must be a number") from None
    if caller.role is Role.AGENT:
        values["agent_id"] = [caller.user_id]
    f = ReportFilter(start=lo, end=hi, **values)
    form = {"from": start_text, "to": end_text, **{k: ",".join(map(str, v)) for k, v in values.items()}}
    return f, form


def _query(form: dict[str, Any], **extra: Any) -> str:
    merged = {k: v for k, v in {**form, **extra}.items() if v not in (None, "", [])}
    return urlencode(merged)


def _hours(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return "–"
    if seconds < 3600:
        return f"{seconds / 60:.0f}分" if lang == "ja" else f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f}時間" if lang == "ja" else f"{seconds / 3600:.1f} h"


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, caller: PageCaller, db: DbSession) -> HTMLResponse:
    """Response-time trend, volume heatmap, per-agent table, tags, CSAT trend — each clickable."""
    f, form = _filter(request, caller)
    board = build_dashboard(db, caller.workspace, f)
    lang = pick_language(request, caller.user.locale, caller.workspace.locale)
    t_week = ["月", "火", "水", "木", "金", "土", "日"] if lang == "ja" else ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    drill = "/reports/tickets?"
    trend = bar_chart([
        Bar(g.label or str(g.key), g.values["calendar"]["median"],
            f"{g.key}: {_hours(g.values['calendar']['median'], lang)} ({g.values['responded']}/{g.values['tickets']})",
            drill + _query(form, **{"from": g.key, "to": g.key}))
        for g in board.response_trend.groups
    ], label_every=max(1, len(board.response_trend.groups) // 10))
    csat_trend = bar_chart([
        Bar(str(g.key), g.values["score"]["mean"], f"{g.key}: {g.values['score']['mean'] or '–'} ({g.values['responses']})",
            drill + _query(form, **{"from": g.key, "to": g.key}))
        for g in board.csat_trend.groups
    ], label_every=max(1, len(board.csat_trend.groups) // 10), color="#2b8a3e")
    tags = bar_chart([
        Bar(str(g.key), g.values["tickets"], f"{g.key}: {g.values['tickets']}", drill + _query(form, tag=g.key))
        for g in sorted(board.tags.groups, key=lambda g: -g.values["tickets"])[:20]
    ], bar_width=30, color="#7048e8")
    heat = heatmap_chart(board.heatmap, t_week, drill + _query(form),
                         "{day} {hour}:00 — {n}")
    return render(request, "reports/dashboard.html", {
        "form": form, "board": board, "trend": trend, "csat_trend": csat_trend, "tag_chart": tags,
        "heat": heat, "agents": board.agent_rows(), "hours": lambda s: _hours(s, lang),
        "drill": drill, "query": _query(form), "q": lambda **kw: _query(form, **kw),
    }, caller=caller)


@router.get("/reports/me", response_class=HTMLResponse)
def my_day(request: Request, caller: PageCaller, db: DbSession) -> HTMLResponse:
    """An agent's own day: handled, replies, first response, CSAT — today in the workspace's zone."""
    zone = zone_of(caller.workspace.timezone)
    today = utc_now().astimezone(zone).date()
    day = request.query_params.get("day") or today.isoformat()
    try:
        date.fromisoformat(day)
    except ValueError:
        raise InvalidInput("day must look like 2026-11-20") from None
    lo, hi = parse_range(day, day, zone)
    f = ReportFilter(start=lo, end=hi, agent_id=[caller.user_id])
    mine = ReportFilter(start=lo, end=hi)
    handled = run_report(db, caller.workspace, Metric.HANDLED, mine, GroupBy.AGENT)
    own = next((g.values for g in handled.groups if g.key == caller.user_id),
               {"closed": 0, "closed_without_reply": 0, "replies": 0})
    return render(request, "reports/me.html", {
        "day": day, "handled": own,
        "first": run_report(db, caller.workspace, Metric.FIRST_RESPONSE_TIME, f).total.values,
        "csat": run_report(db, caller.workspace, Metric.CSAT, f).total.values,
        "open_now": open_tickets_of_agent(db, caller.workspace_id, caller.user_id),
        "hours": lambda s: _hours(s, pick_language(request, caller.user.locale, caller.workspace.locale)),
        "drill": "/reports/tickets?" + urlencode({"from": day, "to": day, "agent_id": caller.user_id}),
    }, caller=caller)


@router.get("/reports/tickets", response_class=HTMLResponse)
def tickets_behind(request: Request, caller: PageCaller, db: DbSession) -> HTMLResponse:
    """The tickets behind a figure, one row each with its timings, linking to the ticket."""
    f, form = _filter(request, caller)
    after = int(request.query_params.get("cursor") or 0)
    page = ticket_page(db, caller.workspace_id, f, after_id=after, limit=100)
    return render(request, "reports/tickets.html", {
        "page": page, "form": form, "query": _query(form),
        "hours": lambda s: _hours(s, pick_language(request, caller.user.locale, caller.workspace.locale)),
        "people": people_names(db, caller.workspace_id),
    }, caller=caller)
