"""What ``henshin report`` and ``henshin import twcs`` do, apart from argument parsing."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from henshin.db.session import Database
from henshin.kit.errors import InvalidInput, NotFound
from henshin.models import Workspace
from henshin.reports import repository as repo
from henshin.reports.export import report_csv, tickets_csv
from henshin.reports.params import parse_group, parse_metric, parse_range
from henshin.reports.rollup import rebuild_workspace
from henshin.reports.schemas import ReportFilter


def _workspace(database: Database, slug: str | None) -> Workspace:
    with database.sessions() as db:
        if slug:
            found = repo.workspace_by_slug(db, slug)
            if found is None:
                raise NotFound(f"workspace {slug!r} not found")
            return found
        ids = repo.all_workspace_ids(db)
        if len(ids) != 1:
            raise InvalidInput("give --workspace SLUG (there are " + str(len(ids)) + " workspaces)")
        return repo.workspaces(db, ids)[ids[0]]


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), transient=False)


def report_text(database: Database, metric: str, *, workspace: str | None, group_by: str | None,
                start: str | None, end: str | None, fmt: str, tags: list[str]) -> str:
    """The report as JSON or CSV text (``metric`` ``tickets`` gives the per-ticket rows)."""
    from henshin.reports.queries import run_report

    if fmt not in {"json", "csv"}:
        raise InvalidInput("--format is json or csv")
    ws = _workspace(database, workspace)
    lo, hi = parse_range(start, end, ZoneInfo(ws.timezone))
    f = ReportFilter(start=lo, end=hi, tag=[t.strip().lower() for t in tags])
    with database.sessions() as db:
        if metric == "tickets":
            if fmt == "csv":
                return "".join(tickets_csv(db, ws.id, f))
            from henshin.reports.export import ticket_page

            items: list[dict[str, object]] = []
            after = 0
            while True:
                page = ticket_page(db, ws.id, f, after_id=after, limit=1000)
                items.extend(i.model_dump(mode="json") for i in page.items)
                if page.next_cursor is None:
                    return json.dumps(items, ensure_ascii=False, indent=2)
                after = page.next_cursor
        out = run_report(db, ws, parse_metric(metric), f, parse_group(group_by))
        if fmt == "csv":
            return report_csv(out)
        return json.dumps(out.model_dump(mode="json"), ensure_ascii=False, indent=2)


def rebuild(database: Database, workspace: str | None) -> int:
    """Recompute every ticket's facts from its history, with a progress bar."""
    with database.sessions() as db:
        if workspace:
            ws = repo.workspace_by_slug(db, workspace)
            if ws is None:
                raise NotFound(f"workspace {workspace!r} not found")
            targets = [ws.id]
        else:
            targets = repo.all_workspace_ids(db)
        totals = {wid: repo.count_tickets(db, wid) for wid in targets}
        requested = dict(repo.rebuild_requests(db))
    done = 0
    with _progress() as progress:
        task = progress.add_task("rebuilding report facts", total=sum(totals.values()))
        for wid in targets:
            with database.unit_of_work() as db:
                done += rebuild_workspace(db, wid, lambda n: progress.advance(task, n))
                if wid in requested:  # the business-hours change this answers
                    repo.clear_rebuild_request(db, wid, requested[wid])
    return done


def import_twcs_file(database: Database, path: Path, workspace: str) -> str:
    """Replay a twcs CSV with a progress bar; return a one-line summary."""
    from henshin.events.bus import subscribe_batch
    from henshin.imports.twcs import import_twcs, read_tweets
    from henshin.reports import rollup

    if not path.is_file():
        raise InvalidInput(f"{path} is not a file")
    subscribe_batch(rollup.on_commit)  # keep the report facts exact while replaying
    total = len(read_tweets(path))
    with _progress() as progress:
        task = progress.add_task(f"replaying {path.name}", total=total)
        summary = import_twcs(database, path, workspace_slug=workspace,
                              progress=lambda n: progress.advance(task, n))
    return (f"imported {summary.customer_tweets} customer tweets and {summary.replies} replies "
            f"for {len(summary.brands)} brands into workspace {workspace!r} "
            f"({summary.duplicates} already there, {summary.skipped_replies} replies to tweets not in the file)")
