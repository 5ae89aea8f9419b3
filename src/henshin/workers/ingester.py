"""Webhook ingestion in a process of its own, started by the server beside itself.

Why: in one process the server's event loop and the ingest loop share one GIL. Measured
with ``benchmarks/webhooks.py`` on 2 cores, the server then spent ~1.4 ms of CPU per
delivery (~0.4 answering, the rest ingesting), which caps intake near 700/s however many
cores there are; with ingestion in another process the two halves use both cores.

The server wakes the ingester after each group commit; the ingester runs the same loop
as the in-process one (batches that fill while it lingers) and hands the live-update
messages of what it committed back to the server's hub (on PostgreSQL it NOTIFies, as
``henshin worker`` does). It exits with the server; the ``webhooks`` worker job picks up
anything it left behind.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Event as ProcessEvent
from typing import Any

from henshin.config import Settings

log = logging.getLogger(__name__)

Relay = Callable[[dict[str, Any]], None]


class IngesterProcess:
    """The parent's handle: start on first use, wake after each commit, relay live updates."""

    def __init__(self, database_url: str, settings: Settings, *, relay: Relay | None,
                 batch: int = 500, linger: float = 0.05) -> None:
        context = multiprocessing.get_context("spawn")  # no forked SQLite handles or threads
        self._wake = context.Event()
        self._idle = context.Event()
        self._messages: SimpleQueue[dict[str, Any] | None] | None = context.SimpleQueue() if relay else None
        self._relay = relay
        self._process = context.Process(
            target=run_ingester, name="henshin-ingester", daemon=True,
            args=(database_url, settings, os.getpid(), self._wake, self._idle, self._messages, batch, linger))
        self._started = False

    def start(self) -> None:
        """Start the process now (it takes a moment to import), not on the first push."""
        if not self._started:
            self._started = True
            self._process.start()
            if self._messages is not None:
                threading.Thread(target=self._forward, name="henshin-ingester-relay", daemon=True).start()

    def kick(self) -> None:
        """Make sure the stored deliveries get processed soon."""
        self.start()
        self._idle.clear()
        self._wake.set()

    def _forward(self) -> None:
        assert self._messages is not None and self._relay is not None
        while (message := self._messages.get()) is not None:
            try:
                self._relay(message)
            except Exception:  # a live update lost must not stop the next ones
                log.exception("relaying a live update from the ingester failed")

    async def drain(self) -> None:
        """Wait until the ingester has nothing left to do (tests and shutdown)."""
        while self._started and self._process.is_alive() and (self._wake.is_set() or not self._idle.is_set()):
            await asyncio.sleep(0.01)

    def stop(self) -> None:
        """End the ingester (stored rows wait for the worker job)."""
        if self._started and self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=10)
        if self._messages is not None:
            self._messages.put(None)


def run_ingester(database_url: str, settings: Settings, parent_pid: int, wake: ProcessEvent,
                 idle: ProcessEvent, messages: SimpleQueue[dict[str, Any] | None] | None,
                 batch: int, linger: float) -> None:
    """The ingester process: ingest whenever woken, until the server is gone."""
    from henshin.channels.webhooks import process_due_deliveries
    from henshin.db.engine import make_engine
    from henshin.db.session import Database
    from henshin.events.bus import Event, subscribe
    from henshin.web.realtime.hub import FORWARDED, message_of, start_worker_publisher
    from henshin.wiring import wire

    if settings.secret_key:  # channel credentials are decrypted with the server's key
        os.environ["HENSHIN_SECRET_KEY"] = settings.secret_key
    database = Database(make_engine(database_url))
    wire(None, database, settings)
    if messages is not None:
        def forward(event: Event) -> None:
            if event.ticket_id is not None:
                messages.put(message_of(event))

        for name in FORWARDED:
            subscribe(name, forward)
    else:
        start_worker_publisher(database)
    # Everything alive now (modules, mappers, the understanding models: ~150k objects) lives
    # as long as the process; frozen, full collections stop walking it again and again
    # (measured: ~0.08 ms of collector time per ingested push, a tenth of the CPU).
    gc.freeze()
    while os.getppid() == parent_pid:
        if not wake.wait(timeout=1.0):
            continue
        wake.clear()
        try:
            while (done := process_due_deliveries(database, limit=batch)) > 0:
                if done < batch:
                    time.sleep(linger)  # let the next batch fill (see DeliveryProcessor)
        except Exception:
            log.exception("processing webhook deliveries failed; the worker job retries")
        if not wake.is_set():
            idle.set()
