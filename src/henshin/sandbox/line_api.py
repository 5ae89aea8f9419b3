"""Fake LINE Messaging API under ``/line``: reply, push (X-Line-Retry-Key), profile."""

from __future__ import annotations

import secrets
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from henshin.sandbox.state import SandboxState

AUTH_FAILED = {"message": "Authentication failed. Confirm that the access token in the authorization header is valid."}


def _sent(state: SandboxState) -> dict[str, str]:
    """A sent message as the reply and push responses list it: its id and quote token."""
    return {"id": state.next_id(500000000000000000), "quoteToken": secrets.token_urlsafe(24)}


def build_line_router(state: SandboxState) -> APIRouter:
    """The Messaging API endpoints henshin uses."""
    router = APIRouter()

    def authed(request: Request) -> bool:
        return state.token_ok(request.headers.get("authorization", "").removeprefix("Bearer "), "line")

    @router.post("/v2/bot/message/reply")
    async def reply(request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(AUTH_FAILED, status_code=401)
        body = await request.json()
        token = body.get("replyToken")
        if token not in state.line_reply_tokens or state.line_reply_tokens[token]:
            return JSONResponse({"message": "Invalid reply token"}, status_code=400)
        state.line_reply_tokens[token] = True
        sent = [_sent(state) for _ in body["messages"]]
        state.record("line", "reply", token=token, text=body["messages"][0].get("text"))
        return JSONResponse({"sentMessages": sent})

    @router.post("/v2/bot/message/push")
    async def push(request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(AUTH_FAILED, status_code=401)
        key = request.headers.get("x-line-retry-key")
        if key and key in state.line_retry_keys:
            # Already accepted: 409, the first request's id, and the messages it sent.
            accepted = state.line_retry_keys[key]
            return JSONResponse({"message": "The retry key is already accepted",
                                 "sentMessages": accepted["sentMessages"]}, status_code=409,
                                headers={"x-line-accepted-request-id": accepted["request_id"],
                                         "x-line-request-id": str(uuid.uuid4())})
        body = await request.json()
        request_id = str(uuid.uuid4())
        sent = [_sent(state) for _ in body["messages"]]
        if key:
            state.line_retry_keys[key] = {"request_id": request_id, "sentMessages": sent}
        state.record("line", "push", to=body["to"], retry_key=key, text=body["messages"][0].get("text"))
        return JSONResponse({"sentMessages": sent}, headers={"x-line-request-id": request_id})

    @router.get("/v2/bot/profile/{user_id}")
    async def profile(user_id: str, request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(AUTH_FAILED, status_code=401)
        if user_id not in state.line_profiles:
            return JSONResponse({"message": "Not found"}, status_code=404)
        return JSONResponse(state.line_profiles[user_id])

    return router
