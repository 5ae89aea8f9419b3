"""Composition root: registers listeners, routes and worker jobs explicitly."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from henshin.config import Settings
from henshin.db.session import Database
from henshin.workers.runner import WorkerRunner
from henshin.workers.timers import wake_due_snoozes


def wire(app: FastAPI | None, database: Database, settings: Settings) -> None:
    """Subscribe the event listeners (idempotent)."""


def mount_routes(app: FastAPI) -> None:
    """Routes outside the JSON API: the web UI, webhooks, the live stream."""


def build_worker(database: Database, settings: Settings) -> WorkerRunner:
    runner = WorkerRunner()
    every = settings.worker_poll_seconds

    async def snoozes() -> None:
        await asyncio.to_thread(wake_due_snoozes, database)

    runner.add("snoozes", snoozes, every)
    return runner


def start_in_process_workers(database: Database, settings: Settings) -> WorkerRunner:
    runner = build_worker(database, settings)
    runner.start()
    return runner
