"""Composition root: registers listeners, routes and worker jobs explicitly."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from henshin.config import Settings
from henshin.db.session import Database
from henshin.ingest.analysis import require_understanding
from henshin.workers.runner import WorkerRunner
from henshin.workers.timers import wake_due_snoozes


def wire(app: FastAPI | None, database: Database, settings: Settings) -> None:
    """Subscribe the event listeners (idempotent)."""
    from henshin.events.bus import subscribe_batch
    from henshin.reports import rollup

    subscribe_batch(rollup.on_commit)
    from henshin.csat import listeners as csat_listeners

    csat_listeners.configure(settings.base_url)
    subscribe_batch(csat_listeners.on_commit)
    from henshin.replies.listeners import subscribe_catalog, warm_up_in_background

    subscribe_catalog()
    if app is not None and settings.run_workers_in_process:
        warm_up_in_background(database)  # the server's suggestion indexes, built off-request
    from henshin.routing.listeners import subscribe_routing
    from henshin.rules.listeners import subscribe_rules

    subscribe_routing()  # SLA due times first, so rules read them
    subscribe_rules()
    if app is not None:
        from henshin.web.realtime.hub import hub_of, subscribe_forwarder

        hub_of(app).start()  # live updates (SSE); LISTEN/NOTIFY on PostgreSQL
        subscribe_forwarder()


def unwire(app: FastAPI) -> None:
    """Undo what ``wire`` started for this app (called when the server shuts down)."""
    hub = getattr(app.state, "live_hub", None)
    if hub is not None:
        hub.stop()
    intake = getattr(app.state, "webhook_intake", None)
    if intake is not None:  # the processing loop, or the ingester process, ends with the server
        intake.processor.stop()


def mount_routes(app: FastAPI) -> None:
    """Routes outside the JSON API: the web UI, webhooks, the live stream."""
    from henshin.web.webhooks import install_webhooks

    install_webhooks(app)  # plain ASGI in front of the router: the hot path of intake
    from henshin.web.realtime.routes import router as live_router
    from henshin.web.ui import mount_ui

    mount_ui(app)
    app.include_router(live_router)
    from henshin.web.ui.knowledge import router as public_kb_router
    from henshin.web.ui.replies import router as replies_page_router

    app.include_router(public_kb_router)  # /kb (agents) and /kb/{workspace_slug} (public)
    app.include_router(replies_page_router)  # /replies
    from henshin.csat.page import router as csat_page_router
    from henshin.web.ui.reports import router as reports_page_router

    app.include_router(csat_page_router)
    app.include_router(reports_page_router)
    from henshin.web.ui.channels import router as channels_page_router

    app.include_router(channels_page_router)
    from henshin.web.ui.rules import router as rules_page_router

    app.include_router(rules_page_router)  # /rules
    from henshin.web.ui.settings import router as settings_page_router

    app.include_router(settings_page_router)  # /settings


def build_worker(database: Database, settings: Settings) -> WorkerRunner:
    require_understanding(settings)
    runner = WorkerRunner()
    every = settings.worker_poll_seconds

    async def snoozes() -> None:
        await asyncio.to_thread(wake_due_snoozes, database)

    runner.add("snoozes", snoozes, every)

    from henshin.channels.webhooks import process_due_deliveries
    from henshin.workers.outbound import deliver_due
    from henshin.workers.pollers import poll_due_channels

    async def webhooks() -> None:
        await asyncio.to_thread(process_due_deliveries, database)

    async def outbound() -> None:
        await deliver_due(database)

    async def pollers() -> None:
        await poll_due_channels(database)

    runner.add("webhooks", webhooks, max(every, 2.0))
    runner.add("outbound", outbound, every)
    runner.add("pollers", pollers, every)
    from henshin.notifications.delivery import Mailer, deliver_due_notifications
    from henshin.routing.timers import raise_sla_alerts
    from henshin.rules.timers import fire_idle_rules

    mailer = Mailer(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from,
                    username=settings.smtp_username, password=settings.smtp_password,
                    starttls=settings.smtp_starttls)

    async def sla_alerts() -> None:
        await asyncio.to_thread(raise_sla_alerts, database)

    async def idle_rules() -> None:
        await asyncio.to_thread(fire_idle_rules, database)

    async def notifications() -> None:
        await asyncio.to_thread(deliver_due_notifications, database, mailer=mailer)

    runner.add("sla_alerts", sla_alerts, max(every, 5.0))
    runner.add("idle_rules", idle_rules, max(every, 30.0))
    runner.add("notifications", notifications, every)
    from henshin.reports.rollup import rebuild_requested, sweep_stale

    async def report_rebuilds() -> None:
        await asyncio.to_thread(rebuild_requested, database)

    async def report_sweep() -> None:
        await asyncio.to_thread(sweep_stale, database)

    runner.add("report_rebuilds", report_rebuilds, max(every, 5.0))
    runner.add("report_sweep", report_sweep, max(every, 60.0))
    from henshin.web.realtime.hub import start_worker_publisher

    start_worker_publisher(database)  # a separate worker NOTIFies servers (PostgreSQL)
    return runner


def start_in_process_workers(database: Database, settings: Settings) -> WorkerRunner:
    runner = build_worker(database, settings)
    runner.start()
    return runner
