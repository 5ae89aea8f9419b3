"""The FastAPI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from henshin import __version__
from henshin.config import Settings, get_settings
from henshin.db.engine import make_engine
from henshin.db.session import Database
from henshin.ingest.analysis import require_understanding
from henshin.web.api.v1 import router as api_v1
from henshin.web.errors import install_error_handlers


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    run_workers: bool | None = None,
    freeze_heap: bool = False,
) -> FastAPI:
    """Build the app; with ``run_workers`` the background loops run inside the server.

    ``freeze_heap`` is for a process that serves this one app for its life (``henshin
    serve``): once wired, what is alive lives as long as the process, so it is moved out of
    the garbage collector's walks (as in ``henshin.workers.ingester``). Not for tests, which
    build many apps in one process: frozen garbage would never be collected.
    """
    settings = settings or get_settings()
    require_understanding(settings)
    database = database or Database(make_engine(settings.database_url))
    workers_on = settings.run_workers_in_process if run_workers is None else run_workers

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from henshin.wiring import start_in_process_workers, wire

        wire(app, database, settings)
        runner = start_in_process_workers(database, settings) if workers_on else None
        if freeze_heap:
            gc.freeze()
        try:
            yield
        finally:
            if runner is not None:
                await runner.stop()
            from henshin.wiring import unwire

            unwire(app)

    app = FastAPI(
        title="henshin",
        version=__version__,
        description="Social customer care: every engagement a ticket in one shared inbox.",
        lifespan=lifespan,
    )
    app.state.database = database
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(api_v1, prefix="/api/v1")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    from henshin.wiring import mount_routes

    mount_routes(app)
    return app
