"""The worker loop: each registered job runs every few seconds; errors never stop it.

``henshin worker`` runs it in its own process; in the embedded default ``henshin serve``
runs the same loop in the server's event loop. Jobs claim due rows (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL), so several workers on several machines share the work.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


@dataclass
class WorkerRunner:
    jobs: dict[str, tuple[Job, float]] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, name: str, job: Job, every_seconds: float) -> None:
        self.jobs[name] = (job, every_seconds)

    async def _loop(self, name: str, job: Job, every: float) -> None:
        while not self._stopping.is_set():
            try:
                await job()
            except Exception:
                log.exception("worker job %s failed; retrying in %.1fs", name, every)
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=every)
            except TimeoutError:
                pass

    def start(self) -> None:
        for name, (job, every) in self.jobs.items():
            self._tasks.append(asyncio.create_task(self._loop(name, job, every), name=name))

    async def stop(self) -> None:
        self._stopping.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def run_forever(self) -> None:
        """Run the jobs until stopped (``henshin worker``: the whole process is the worker)."""
        gc.freeze()  # see henshin.workers.ingester: the lasting heap leaves the collector's walk
        self.start()
        await self._stopping.wait()
