"""The ``henshin`` command line: serve, worker, migrate, demo, users, workspaces, tokens."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer

from henshin.config import get_settings

app = typer.Typer(help="henshin (返信): social customer care in one shared inbox.", no_args_is_help=True)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
workspace_app = typer.Typer(help="Manage workspaces.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(workspace_app, name="workspace")
app.add_typer(token_app, name="token")


def _database():  # type: ignore[no-untyped-def]
    from henshin.db.engine import make_engine
    from henshin.db.session import Database

    return Database(make_engine(get_settings().database_url))


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the newest version."""
    from henshin.db.migrate import upgrade

    database = _database()
    upgrade(database.engine)
    typer.echo(f"database is up to date ({database.engine.url.render_as_string(hide_password=True)})")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers_in_process: Annotated[bool, typer.Option(help="Run the background loops inside the server.")] = True,
) -> None:
    """Run the web app and API (and, by default, the background loops)."""
    import uvicorn

    from henshin.db.migrate import upgrade
    from henshin.web.app import create_app

    settings = get_settings()
    logging.basicConfig(level=settings.log_level)
    database = _database()
    upgrade(database.engine)
    uvicorn.run(
        create_app(settings, database=database, run_workers=workers_in_process, freeze_heap=True),
        host=host, port=port, log_level=settings.log_level.lower(),
    )


@app.command()
def worker() -> None:
    """Run the background loops (delivery, timers, polling) in their own process."""
    from henshin.wiring import build_worker

    settings = get_settings()
    logging.basicConfig(level=settings.log_level)
    database = _database()
    runner = build_worker(database, settings)
    typer.echo(f"worker running: {', '.join(runner.jobs)}")
    asyncio.run(runner.run_forever())


@workspace_app.command("create")
def workspace_create(
    slug: str,
    name: Annotated[str, typer.Option(help="Display name (the brand).")] = "",
    timezone: Annotated[str, typer.Option(help="IANA time zone.")] = "Asia/Tokyo",
    locale: Annotated[str, typer.Option(help="Default UI language: ja or en.")] = "ja",
) -> None:
    """Create a workspace (one per brand)."""
    from henshin.workspaces.actions import do_create_workspace

    with _database().unit_of_work() as db:
        ws = do_create_workspace(db, slug=slug, name=name or slug, timezone=timezone, locale=locale)
        typer.echo(f"workspace {ws.slug} created (id {ws.id})")


@user_app.command("create")
def user_create(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, help="At least 8 characters.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    workspace: Annotated[str | None, typer.Option(help="Workspace slug to join.")] = None,
    role: Annotated[str, typer.Option(help="admin, supervisor or agent.")] = "agent",
) -> None:
    """Create a user, optionally as a member of a workspace."""
    from henshin.kit.errors import NotFound
    from henshin.models.workspace import Role
    from henshin.workspaces import repository as ws_repo
    from henshin.workspaces.actions import do_add_member, do_create_user

    with _database().unit_of_work() as db:
        user = do_create_user(db, email=email, name=name, password=password)
        if workspace:
            ws = ws_repo.workspace_by_slug(db, workspace)
            if ws is None:
                raise NotFound(f"workspace {workspace!r} not found")
            do_add_member(db, workspace=ws, user=user, role=Role(role))
        typer.echo(f"user {user.email} created (id {user.id})")


@token_app.command("create")
def token_create(
    workspace: Annotated[str, typer.Option(help="Workspace slug.")],
    email: Annotated[str, typer.Option(help="The member the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Create an API token (printed once)."""
    from henshin.kit.errors import NotFound
    from henshin.workspaces import repository as ws_repo
    from henshin.workspaces.actions import do_create_api_token

    with _database().unit_of_work() as db:
        ws = ws_repo.workspace_by_slug(db, workspace)
        user = ws_repo.user_by_email(db, email)
        if ws is None or user is None:
            raise NotFound("workspace or user not found")
        issued = do_create_api_token(db, workspace_id=ws.id, user_id=user.id, name=name)
        typer.echo(issued.token)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    engagements: Annotated[int, typer.Option(help="Engagements to seed.")] = 400,
    live_every: Annotated[float, typer.Option(help="Seconds between new live engagements (0: off).")] = 4.0,
    reset: Annotated[bool, typer.Option(help="Start from an empty demo database.")] = False,
) -> None:
    """Start henshin on SQLite with demo data that keeps arriving."""
    from henshin.demo import run_demo

    run_demo(host=host, port=port, engagements=engagements, live_every=live_every, reset=reset)


def _require_deep() -> None:
    """Exit 2 with the install command when deep understanding cannot run."""
    from henshin.understand import DeepModeUnavailable, require_deep

    try:
        require_deep()
    except DeepModeUnavailable as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


@app.command()
def analyze(
    file: Annotated[Path | None, typer.Argument(help="Text file (one per line) or JSONL; stdin if omitted.")] = None,
    deep: Annotated[bool, typer.Option(help="Deep mode: multilingual USE heads (about 10x slower; needs the deep extra).")] = False,
) -> None:
    """Analyse texts: one JSON object per input line, in order."""
    from henshin.understand.cli import analyze_command

    if deep:
        _require_deep()
    analyze_command(file, deep=deep)


@app.command()
def reanalyze(
    workspace: Annotated[str | None, typer.Option(help="Only this workspace (slug).")] = None,
    since: Annotated[str | None, typer.Option(help="Only engagements created since (ISO date).")] = None,
    deep: Annotated[bool | None, typer.Option(
        "--deep/--no-deep", help="Deep understanding mode (default: HENSHIN_UNDERSTAND_DEEP).")] = None,
) -> None:
    """Re-run language, sentiment, spam, intent and urgency analysis over stored engagements."""
    from datetime import UTC, datetime

    from rich.progress import Progress

    from henshin.ingest.reanalysis import reanalyze as run_reanalysis
    from henshin.kit.errors import NotFound
    from henshin.workspaces import repository as ws_repo

    deep = get_settings().understand_deep if deep is None else deep
    if deep:
        _require_deep()

    database = _database()
    workspace_id = None
    if workspace:
        with database.sessions() as db:
            ws = ws_repo.workspace_by_slug(db, workspace)
            if ws is None:
                raise NotFound(f"workspace {workspace!r} not found")
            workspace_id = ws.id
    since_at = datetime.fromisoformat(since).replace(tzinfo=UTC) if since else None
    with Progress() as bar:
        task = bar.add_task("re-analysing", total=None)
        count = run_reanalysis(database, workspace_id=workspace_id, since=since_at, deep=deep,
                               progress=lambda n: bar.advance(task, n))
    typer.echo(f"re-analysed {count} engagements")


import_app = typer.Typer(help="Replay conversations from elsewhere as tickets.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@app.command()
def report(
    metric: Annotated[str, typer.Argument(help="first-response-time, next-response-time, close-time, reopens, "
                                               "handled, csat, volume, sla, backlog, tickets (one row per "
                                               "ticket) or rebuild (recompute the facts from history).")],
    group_by: Annotated[str | None, typer.Option("--group-by", help="agent, team, network, kind, tag, channel, "
                                                "priority, language, sentiment, day, hour, weekday.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First local day, e.g. 2026-11-01.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last local day (inclusive).")] = None,
    workspace: Annotated[str | None, typer.Option(help="Workspace slug (needed when there are several).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only tickets with this tag (repeatable: all of them).")] = None,
    format: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
) -> None:
    """Print a report (for scripts and cron jobs), or rebuild the report facts."""
    from henshin.reports.cli import rebuild, report_text

    database = _database()
    if metric == "rebuild":
        typer.echo(f"rebuilt the report facts of {rebuild(database, workspace)} tickets")
        return
    typer.echo(report_text(database, metric, workspace=workspace, group_by=group_by, start=from_, end=to,
                           fmt=format, tags=tag or []))


@import_app.command("twcs")
def import_twcs(
    file: Annotated[Path, typer.Argument(help="A twcs.csv file (Kaggle: Customer Support on Twitter).")],
    workspace: Annotated[str, typer.Option(help="Workspace slug (created when missing).")] = "twcs",
) -> None:
    """Replay customer-support conversations on X as tickets and replies, at their original times."""
    from henshin.reports.cli import import_twcs_file

    typer.echo(import_twcs_file(_database(), file, workspace))


def main() -> None:
    from henshin.kit.errors import HenshinError

    try:
        app()
    except HenshinError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise SystemExit(2) from exc


if __name__ == "__main__":
    main()
