"""Webhook routes: ``/webhooks/{network}/{channel_id}`` and the per-app ``/webhooks/meta``.

Verify (against a channel cached for a moment), store raw through the group-commit
writer, acknowledge with 200 only once stored — then the intake's processing loop
parses and ingests; the ``webhooks`` worker job retries whatever is left. A forged
signature gets 401 and nothing is stored.

Why plain ASGI in front of FastAPI (``WebhookFront``): profiled under
``benchmarks/webhooks.py``, a push spent more CPU in FastAPI's routing (matching the
path against every included router, ~0.7 ms) and request/response machinery than in
verifying and storing it. These routes need none of it — no auth, no dependencies, no
schema — so the front answers them itself and passes every other request through.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError

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
from henshin.channels.webhooks import MAX_BODY_BYTES
from henshin.kit.errors import HenshinError, InvalidInput
from henshin.web.realtime.hub import hub_of
from henshin.workers.ingester import IngesterProcess

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PREFIX = "/webhooks/"


@dataclass
class WebhookIntake:
    """The app's writer (group commit) and what ingests after it: a loop in this process
    or an ingester process of its own."""

    writer: DeliveryWriter
    processor: DeliveryProcessor | IngesterProcess


def intake_of(app: FastAPI, *, process: bool = True, own_process: bool | None = None) -> WebhookIntake:
    """The intake bound to ``app`` (created on first use).

    ``process=False`` stores and acknowledges only, leaving processing to the worker job
    (as after a crash, or when a separate ``henshin worker`` ingests). ``own_process``
    (default: ``HENSHIN_INGEST_IN_OWN_PROCESS``) ingests in a process the server starts
    beside itself (``henshin.workers.ingester``):
    on a file database that is what lets intake use a second core.
    """
    found: WebhookIntake | None = getattr(app.state, "webhook_intake", None)
    if found is None:
        if own_process is None:
            own_process = app.state.settings.ingest_in_own_process
        database = app.state.database
        processor: DeliveryProcessor | IngesterProcess = DeliveryProcessor(database)
        if own_process and database.engine.url.database not in (None, "", ":memory:"):
            relay = hub_of(app).publish if database.is_sqlite else None  # PostgreSQL: NOTIFY
            processor = IngesterProcess(database.engine.url.render_as_string(hide_password=False),
                                        app.state.settings, relay=relay)
            processor.start()
        writer = DeliveryWriter(database, on_stored=processor.kick if process else None)
        found = app.state.webhook_intake = WebhookIntake(writer=writer, processor=processor)
    return found


def install_webhooks(app: FastAPI) -> None:
    """Serve the webhook routes in front of ``app``'s router."""
    app.add_middleware(WebhookFront)


class WebhookFront:
    """ASGI middleware answering ``/webhooks/…`` itself; everything else goes on to ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):  # behind a proxy prefix, as the router sees it
            path = path[len(root):]
        if scope["type"] != "http" or not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        parts = path[len(PREFIX):].split("/")
        handler: Callable[[Scope, Receive, Send, list[str]], Awaitable[None]]
        if parts == ["meta"]:
            handler = _meta_webhook
        elif len(parts) == 2 and parts[1].isdigit():
            handler = _channel_webhook
        else:
            await self.app(scope, receive, send)  # not a webhook URL: the router's 404
            return
        if scope["method"] not in ("GET", "POST"):
            await _send(send, 405, b'{"detail":"Method Not Allowed"}', extra=[(b"allow", b"GET, POST")])
            return
        try:
            await handler(scope, receive, send, parts)
        except HenshinError as exc:
            await _send(send, exc.status_code, json.dumps(
                {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}).encode())
        except OperationalError:  # nothing stored: the network retries on a 5xx
            await _send(send, 503, b'{"error":{"code":"database_unavailable","message":"the database is '
                                   b'unavailable; nothing was saved, try again","details":null}}',
                        extra=[(b"retry-after", b"2")])


async def _channel_webhook(scope: Scope, receive: Receive, send: Send, parts: list[str]) -> None:
    """One channel's webhook: handshake (GET), or a signed delivery (POST)."""
    network, channel_id = parts[0], int(parts[1])
    body = await _read_body(receive)
    database = scope["app"].state.database
    known, target = cached_target(database, channel_id)
    if not known:
        target = await asyncio.to_thread(load_target, database, channel_id)
    prepared = prepare_delivery(target, network=network, channel_id=channel_id, method=scope["method"],
                                query=_query(scope), headers=_headers(scope), body=body)
    await _answer(scope, send, prepared)


async def _meta_webhook(scope: Scope, receive: Receive, send: Send, _parts: list[str]) -> None:
    """Meta's app-level webhook (Facebook Pages and Instagram), routed by account id."""
    database = scope["app"].state.database
    headers = _headers(scope)
    if scope["method"] == "GET":
        prepared = await asyncio.to_thread(meta_handshake, database, query=_query(scope), headers=headers)
        await _answer(scope, send, prepared)
        return
    body = await _read_body(receive)
    network, payload, entries = meta_accounts(body)
    accounts = sorted({str(e.get("id")) for e in entries})
    targets = await asyncio.to_thread(load_meta_targets, database, network, accounts)
    await _answer(scope, send, prepare_meta_delivery(targets, network=network, payload=payload,
                                                     entries=entries, headers=headers, body=body))


async def _answer(scope: Scope, send: Send, prepared: Prepared) -> None:
    if prepared.challenge is not None:
        c = prepared.challenge
        media = c.media_type + ("; charset=utf-8" if c.media_type.startswith("text/") else "")
        await _send(send, c.status_code, c.body.encode(), content_type=media.encode())
        return
    ids = await intake_of(scope["app"]).writer.store(prepared.rows)
    await _send(send, 200, orjson.dumps({"received": True, "delivery_ids": ids}))


async def _read_body(receive: Receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:  # stop reading: no network sends this much
            raise InvalidInput(f"webhook body is over {MAX_BODY_BYTES} bytes; at most that is accepted")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _headers(scope: Scope) -> dict[str, str]:
    # ASGI servers give names lowercased, which is how the connectors look them up.
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}


def _query(scope: Scope) -> dict[str, str]:
    return dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))


async def _send(send: Send, status: int, body: bytes, *, content_type: bytes = b"application/json",
                extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
