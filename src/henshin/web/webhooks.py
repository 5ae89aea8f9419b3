"""Webhook routes: ``/webhooks/{network}/{channel_id}`` and the per-app ``/webhooks/meta``.

Verify (against a channel cached for a moment), store raw through the group-commit
writer, acknowledge with 200 only once stored — then the intake's processing loop
parses and ingests; the ``webhooks`` worker job retries whatever is left. A forged
signature gets 401 and nothing is stored. The routes are ``async`` and touch the
database only on a cache miss, so a push costs an HMAC and its share of one commit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from henshin.channels.intake import (
    DeliveryProcessor,
    DeliveryWriter,
    Prepared,
    cached_target,
    load_meta_targets,
    load_target,
    meta_accounts,
    meta_handshake,
    prepare_delivery,
    prepare_meta_delivery,
)

router = APIRouter(prefix="/webhooks", include_in_schema=False)


@dataclass
class WebhookIntake:
    """The app's writer (group commit) and processing loop."""

    writer: DeliveryWriter
    processor: DeliveryProcessor


def intake_of(app: FastAPI, *, process: bool = True) -> WebhookIntake:
    """The intake bound to ``app`` (created on first use). ``process=False`` stores and
    acknowledges only, leaving processing to the worker job (as after a crash)."""
    found: WebhookIntake | None = getattr(app.state, "webhook_intake", None)
    if found is None:
        database = app.state.database
        processor = DeliveryProcessor(database)
        writer = DeliveryWriter(database, on_stored=processor.kick if process else None)
        found = app.state.webhook_intake = WebhookIntake(writer=writer, processor=processor)
    return found


async def _answer(request: Request, prepared: Prepared) -> Response:
    if prepared.challenge is not None:
        c = prepared.challenge
        return Response(c.body, status_code=c.status_code, media_type=c.media_type)
    ids = await intake_of(request.app).writer.store(prepared.rows)
    return JSONResponse({"received": True, "delivery_ids": ids})


@router.api_route("/meta", methods=["GET", "POST"])
async def meta_webhook(request: Request) -> Response:
    """Meta's app-level webhook (Facebook Pages and Instagram), routed by account id."""
    database = request.app.state.database
    query, headers = dict(request.query_params), dict(request.headers)
    if request.method == "GET":
        return await _answer(request, await asyncio.to_thread(meta_handshake, database, query=query,
                                                              headers=headers))
    body = await request.body()
    network, payload, entries = meta_accounts(body)
    accounts = sorted({str(e.get("id")) for e in entries})
    targets = await asyncio.to_thread(load_meta_targets, database, network, accounts)
    return await _answer(request, prepare_meta_delivery(targets, network=network, payload=payload,
                                                        entries=entries, headers=headers, body=body))


@router.api_route("/{network}/{channel_id}", methods=["GET", "POST"])
async def channel_webhook(network: str, channel_id: int, request: Request) -> Response:
    """One channel's webhook: handshake (GET), or a signed delivery (POST)."""
    body = await request.body()
    known, target = cached_target(request.app.state.database, channel_id)
    if not known:
        target = await asyncio.to_thread(load_target, request.app.state.database, channel_id)
    prepared = prepare_delivery(target, network=network, channel_id=channel_id, method=request.method,
                                query=request.query_params, headers=request.headers, body=body)
    return await _answer(request, prepared)
