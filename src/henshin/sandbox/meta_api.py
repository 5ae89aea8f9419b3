"""Fake Graph API (Facebook Pages + Instagram) under ``/graph/v21.0``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from henshin.sandbox.state import SandboxState

EXPIRED = {"error": {"message": "Error validating access token: Session has expired.", "type": "OAuthException",
                     "code": 190, "error_subcode": 463, "fbtrace_id": "AsandboxTrace"}}


def _paged(rows: list[dict[str, Any]], request: Request, limit: int = 25) -> dict[str, Any]:
    start = int(request.query_params.get("after") or 0)
    size = int(request.query_params.get("limit") or limit)
    chunk = rows[start:start + size]
    body: dict[str, Any] = {"data": chunk, "paging": {"cursors": {"before": str(start), "after": str(start + size)}}}
    if start + size < len(rows):
        body["paging"]["next"] = f"{request.url.path}?after={start + size}"
    return body


def build_meta_router(state: SandboxState) -> APIRouter:
    """Graph API edges henshin uses, with Graph's error and paging shapes."""
    router = APIRouter()

    def authed(request: Request) -> bool:
        token = request.headers.get("authorization", "").removeprefix("Bearer ") \
            or request.query_params.get("access_token")
        return state.token_ok(token, "meta")

    def all_comments() -> dict[str, dict[str, Any]]:
        found = {}
        for rows in [*state.ig_comments.values(), *state.fb_comments.values()]:
            for c in rows:
                found[c["id"]] = c
        return found

    @router.api_route("/{object_id}/{edge}", methods=["GET", "POST"])
    async def edge(object_id: str, edge: str, request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(EXPIRED, status_code=400)
        if request.method == "GET":
            if object_id == state.ig_user_id and edge == "media":
                return JSONResponse(_paged(state.ig_media, request))
            if object_id == state.fb_page_id and edge == "feed":
                return JSONResponse(_paged([p for p in state.fb_posts if p.get("is_published", True)], request))
            if object_id == state.fb_page_id and edge == "ads_posts":
                return JSONResponse(_paged([p for p in state.fb_posts if not p.get("is_published", True)], request))
            if object_id == state.fb_page_id and edge == "ratings":
                return JSONResponse(_paged(state.fb_ratings, request))
            if edge in ("comments", "replies"):
                rows = state.ig_comments.get(object_id) or state.fb_comments.get(object_id) or []
                if edge == "replies" or object_id in all_comments():
                    rows = [c for c in all_comments().values() if c.get("parent_id") == object_id]
                return JSONResponse(_paged(rows, request))
            return JSONResponse({"data": []})
        body = await _body(request)
        text = body.get("message")
        if edge in ("replies", "comments"):
            new_id = f"{object_id}_{state.next_id(17000000000000000)}"
            own = {"id": state.ig_user_id, "username": state.ig_username} if edge == "replies" \
                else {"id": state.fb_page_id, "name": "henshin tea"}
            (state.ig_comments if edge == "replies" else state.fb_comments).setdefault(object_id, []).append(
                {"id": new_id, "text": text, "message": text, "parent_id": object_id, "from": own,
                 "username": own.get("username"), "timestamp": datetime.now(UTC).isoformat()})
            state.record("meta", "reply", id=new_id, target=object_id, text=text)
            return JSONResponse({"id": new_id})
        if edge == "messages":
            recipient = body.get("recipient") or {}
            message_id = f"m_{state.next_id()}"
            state.record("meta", "private_reply" if "comment_id" in recipient else "dm", id=message_id,
                         target=recipient.get("comment_id") or recipient.get("id"),
                         text=(body.get("message") or {}).get("text"))
            return JSONResponse({"recipient_id": recipient.get("id", "sandbox-user"), "message_id": message_id})
        if edge == "likes":
            state.record("meta", "like", target=object_id)
            return JSONResponse({"success": True})
        return JSONResponse({"error": {"message": f"Unknown edge {edge}", "type": "OAuthException", "code": 100}},
                            status_code=400)

    @router.api_route("/{object_id}", methods=["POST", "DELETE"])
    async def node(object_id: str, request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(EXPIRED, status_code=400)
        if request.method == "DELETE":
            state.record("meta", "delete", target=object_id)
            return JSONResponse({"success": True})
        body = await _body(request)
        flag = body.get("hide", body.get("is_hidden"))
        hidden = str(flag).lower() == "true"
        state.record("meta", "hide" if hidden else "unhide", target=object_id)
        return JSONResponse({"success": True})

    return router


async def _body(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = dict(request.query_params)
    if request.headers.get("content-type", "").startswith("application/json"):
        data.update(await request.json())
    return data
