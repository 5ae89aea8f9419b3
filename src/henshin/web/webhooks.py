"""Webhook routes: ``/webhooks/{network}/{channel_id}`` and the per-app ``/webhooks/meta``.

Verify, store raw, acknowledge with 200 — then parse and ingest right after the
response (``WebhookProcessor``); the ``webhooks`` worker job retries whatever is left.
A forged signature gets 401 and nothing is stored.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from henshin.channels.webhooks import (
    Accepted,
    accept_meta_webhook,
    accept_webhook,
    process_due_deliveries,
)
from henshin.db.session import Database

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks", include_in_schema=False)


class WebhookProcessor:
    """Processes stored deliveries in the background as soon as they are acknowledged.

    One task at a time; a kick while it runs makes it go round once more, so nothing
    acknowledged waits for the periodic worker job.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def kick(self) -> None:
        """Make sure the stored deliveries get processed soon."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._again:
            self._again = False
            try:
                while await asyncio.to_thread(process_due_deliveries, self.database) > 0:
                    pass
            except Exception:
                log.exception("processing webhook deliveries failed; the worker job retries")

    async def drain(self) -> None:
        """Wait until the current round finished (tests and shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.sleep(0.01)


def processor_of(app: FastAPI) -> WebhookProcessor:
    found = getattr(app.state, "webhook_processor", None)
    if found is None:
        found = app.state.webhook_processor = WebhookProcessor(app.state.database)
    return found


def _answer(request: Request, accepted: Accepted) -> Response:
    if accepted.challenge is not None:
        c = accepted.challenge
        return Response(c.body, status_code=c.status_code, media_type=c.media_type)
    processor_of(request.app).kick()
    return JSONResponse({"received": True, "delivery_ids": accepted.delivery_ids})


@router.api_route("/meta", methods=["GET", "POST"])
async def meta_webhook(request: Request) -> Response:
    """Meta's app-level webhook (Facebook Pages and Instagram), routed by account id."""
    body = await request.body()
    accepted = await run_in_threadpool(
        accept_meta_webhook, request.app.state.database, method=request.method,
        query=dict(request.query_params), headers=dict(request.headers), body=body)
    return _answer(request, accepted)


@router.api_route("/{network}/{channel_id}", methods=["GET", "POST"])
async def channel_webhook(network: str, channel_id: int, request: Request) -> Response:
    """One channel's webhook: handshake (GET), or a signed delivery (POST)."""
    body = await request.body()
    accepted = await run_in_threadpool(
        accept_webhook, request.app.state.database, network=network, channel_id=channel_id,
        method=request.method, query=dict(request.query_params), headers=dict(request.headers), body=body)
    return _answer(request, accepted)
