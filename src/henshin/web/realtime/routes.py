"""``GET /live/stream`` (Server-Sent Events) and ``POST /live/presence`` (heartbeats)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ValidationError

from henshin.kit.errors import InvalidInput
from henshin.views.queries import ensure_ticket
from henshin.web.deps import CurrentCaller, DbSession
from henshin.web.realtime.hub import hub_of

router = APIRouter(prefix="/live", tags=["live"])

KEEPALIVE_SECONDS = 15.0


class PresenceIn(BaseModel):
    ticket_id: int
    state: Literal["viewing", "typing", "idle", "left"] = "viewing"


def sse(message: dict[str, Any]) -> str:
    """One Server-Sent Event: ``event: <type>`` and the JSON message as data."""
    return f"event: {message.get('type', 'message')}\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"


@router.get("/stream")
async def stream(request: Request, caller: CurrentCaller) -> StreamingResponse:
    """The workspace's live changes (tickets, presence) as an event stream."""
    hub = hub_of(request.app)
    workspace_id = caller.workspace_id
    queue = hub.open_stream(workspace_id)

    async def events() -> AsyncIterator[str]:
        try:
            yield "retry: 1000\n\n"
            yield sse({"type": "hello", "workspace_id": workspace_id})
            for ticket_id in hub.presence.tickets_of(workspace_id):
                yield sse(hub.presence_message(workspace_id, ticket_id))
            while True:
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    yield ": keepalive\n\n"
                    continue
                if message.get("type") == "bye":
                    return
                yield sse(message)
        finally:
            hub.close_stream(workspace_id, queue)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/presence", status_code=204)
async def presence(request: Request, caller: CurrentCaller, db: DbSession) -> None:
    """A heartbeat: this person views / types on / left a ticket (JSON, or a form beacon)."""
    if request.headers.get("content-type", "").startswith("application/json"):
        raw: Any = await request.json()
    else:
        raw = dict((await request.form()).items())
    try:
        body = PresenceIn.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from exc
    ensure_ticket(db, caller.workspace_id, body.ticket_id)
    hub_of(request.app).heartbeat(
        caller.workspace_id, body.ticket_id, caller.user_id, caller.user.name, body.state
    )
