"""The figures the reports page shows, gathered in one place (the benchmark times these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from henshin.models import Workspace
from henshin.reports.queries import heatmap, run_report
from henshin.reports.schemas import GroupBy, Metric, ReportFilter, ReportOut


@dataclass
class Dashboard:
    response_trend: ReportOut  # first response by day
    heatmap: list[list[int]]  # weekday × hour
    by_agent: ReportOut  # first response per agent
    handled_by_agent: ReportOut
    csat_by_agent: ReportOut
    tags: ReportOut  # volume per tag
    csat_trend: ReportOut  # CSAT by day
    close_time: ReportOut
    reopens: ReportOut
    sla: ReportOut

    def agent_rows(self) -> list[dict[str, Any]]:
        """One row per agent: first response, handled, CSAT side by side."""
        rows: dict[Any, dict[str, Any]] = {}
        for report, name in ((self.by_agent, "frt"), (self.handled_by_agent, "handled"), (self.csat_by_agent, "csat")):
            for group in report.groups:
                if group.key is None:
                    continue
                row = rows.setdefault(group.key, {"key": group.key, "label": group.label or str(group.key)})
                row[name] = group.values
        return sorted(rows.values(), key=lambda r: -int((r.get("handled") or {}).get("closed", 0)))


DASHBOARD_QUERIES = (
    ("response_trend", Metric.FIRST_RESPONSE_TIME, GroupBy.DAY),
    ("by_agent", Metric.FIRST_RESPONSE_TIME, GroupBy.AGENT),
    ("handled_by_agent", Metric.HANDLED, GroupBy.AGENT),
    ("csat_by_agent", Metric.CSAT, GroupBy.AGENT),
    ("tags", Metric.VOLUME, GroupBy.TAG),
    ("csat_trend", Metric.CSAT, GroupBy.DAY),
    ("close_time", Metric.CLOSE_TIME, None),
    ("reopens", Metric.REOPENS, None),
    ("sla", Metric.SLA, None),
)


def build_dashboard(db: Session, workspace: Workspace, f: ReportFilter) -> Dashboard:
    """Every figure of the reports page for the filter."""
    values: dict[str, Any] = {
        name: run_report(db, workspace, metric, f, group) for name, metric, group in DASHBOARD_QUERIES
    }
    values["heatmap"] = heatmap(db, workspace, f)
    return Dashboard(**values)
