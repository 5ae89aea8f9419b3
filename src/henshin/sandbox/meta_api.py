"""Fake Graph API (Facebook Pages + Instagram) under ``/graph/v21.0``."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse

from henshin.sandbox.state import SandboxState

EXPIRED = {"error": {"message": "Error validating access token: Session has expired.", "type": "OAuthException",
                     "code": 190, "error_subcode": 463, "fbtrace_id": "AsandboxTrace"}}


def _paged(rows: list[dict[str, Any]], request: Request, limit: int = 25) -> dict[str, Any]:
    start = int(request.query_params.get("after") or 0)
    size = int(request.query_params.get("limit") or limit)
    chunk = rows[start:start + size]
    body: dict[str, Any] = {"data": chunk, "paging": {"cursors": {"before": str(start), "after": str(start + size)}}}
    if start + size < len(rows):  # Graph gives the whole next-page URL, cursor included
        body["paging"]["next"] = str(request.url.include_query_params(after=start + size))
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

    _oauth_routes(router, state)

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
                if state.fb_ratings_retired:
                    return JSONResponse({"error": {
                        "message": "(#12) The ratings edge is deprecated for versions v22.0 and higher",
                        "type": "OAuthException", "code": 12, "fbtrace_id": "AsandboxTrace"}}, status_code=400)
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
            if object_id not in ("me", state.fb_page_id):
                return _unsupported_post(object_id)
            recipient = body.get("recipient") or {}
            refused = _outside_window(state, body, all_comments())
            if refused is not None:
                return refused
            message_id = f"m_{state.next_id()}"
            state.record("meta", "private_reply" if "comment_id" in recipient else "dm", id=message_id,
                         target=recipient.get("comment_id") or recipient.get("id"),
                         text=(body.get("message") or {}).get("text"), sender=object_id,
                         messaging_type=body.get("messaging_type"), tag=body.get("tag"))
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


STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
PRIVATE_REPLY_WINDOW = timedelta(days=7)


def _graph_error(message: str, code: int, subcode: int | None = None) -> JSONResponse:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": "AsandboxTrace"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return JSONResponse({"error": error}, status_code=400)


def _unsupported_post(object_id: str) -> JSONResponse:
    """What Graph answers when a node has no such edge for this token (e.g. an IG user's
    ``/messages`` on graph.facebook.com: messaging goes through the page)."""
    return _graph_error(f"Unsupported post request. Object with ID '{object_id}' does not exist, cannot be "
                        "loaded due to missing permissions, or does not support this operation.", 100, 33)


def _when(row: dict[str, Any]) -> datetime | None:
    value = row.get("timestamp") or row.get("created_time")
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def _outside_window(state: SandboxState, body: dict[str, Any],
                    comments: dict[str, dict[str, Any]]) -> JSONResponse | None:
    """Refuse like the Send API does (code 10, subcode 2018278) a private reply more than 7
    days after its comment, a RESPONSE more than 24 hours after the person's last message, or
    a HUMAN_AGENT-tagged one more than 7 days after it. People the sandbox never saw write
    are let through: its world is seeded without message history."""
    now = datetime.now(UTC)
    recipient = body.get("recipient") or {}
    if "comment_id" in recipient:
        comment = comments.get(str(recipient["comment_id"]))
        commented = _when(comment) if comment else None
        late = commented is not None and now >= commented + PRIVATE_REPLY_WINDOW
    else:
        last = state.meta_last_message_at.get(str(recipient.get("id")))
        window = HUMAN_AGENT_WINDOW if body.get("tag") == "HUMAN_AGENT" else STANDARD_WINDOW
        late = last is not None and now >= last + window
    return _graph_error("(#10) This message is sent outside of allowed window.", 10, 2018278) if late else None


async def _body(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = dict(request.query_params)
    if request.headers.get("content-type", "").startswith("application/json"):
        data.update(await request.json())
    return data


def _oauth_error(message: str, code: int = 100, subcode: int | None = None) -> JSONResponse:
    return _graph_error(message, code, subcode)


def _oauth_routes(router: APIRouter, state: SandboxState) -> None:
    """Facebook Login for Business: dialog, code exchange, long-lived token, /me/accounts.
    Registered before the generic ``/{object}/{edge}`` routes, which would swallow them."""

    @router.get("/dialog/oauth")
    async def dialog(request: Request) -> Any:
        q = request.query_params
        if q.get("client_id") != state.meta_app_id:
            return _oauth_error("Invalid App ID: the app id is not a valid Meta app", code=101)
        code = "AQ" + secrets.token_urlsafe(24)
        state.oauth_codes[code] = {"redirect_uri": q["redirect_uri"], "network": "meta"}
        # The sandbox admin grants every scope asked for and every page.
        return RedirectResponse(f"{q['redirect_uri']}?code={code}&state={q['state']}#_=_", status_code=302)

    @router.get("/oauth/access_token")
    async def access_token(request: Request) -> JSONResponse:
        q = request.query_params
        if q.get("client_id") != state.meta_app_id or q.get("client_secret") != state.meta_app_secret:
            return _oauth_error("Error validating client secret.", code=1)
        if q.get("grant_type") == "fb_exchange_token":
            if state.tokens.get(q.get("fb_exchange_token") or "") != "meta-user":
                return _oauth_error("Invalid OAuth access token - Cannot parse access token", code=190)
            token = "EAAlong" + secrets.token_urlsafe(24)
            state.tokens[token] = "meta-user"
            return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 5183944})
        grant = state.oauth_codes.pop(q.get("code") or "", None)
        if grant is None or grant.get("network") != "meta":
            return _oauth_error("This authorization code has been used.", code=100, subcode=36009)
        if grant["redirect_uri"] != q.get("redirect_uri"):
            return _oauth_error("Error validating verification code. Please make sure your redirect_uri is "
                                "identical to the one you used in the OAuth dialog request", code=100, subcode=36008)
        token = "EAAshort" + secrets.token_urlsafe(24)
        state.tokens[token] = "meta-user"
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 5183})

    @router.get("/me/accounts")
    async def accounts(request: Request) -> JSONResponse:
        token = request.headers.get("authorization", "").removeprefix("Bearer ") \
            or request.query_params.get("access_token") or ""
        if state.tokens.get(token) != "meta-user" or token in state.expired_tokens:
            return JSONResponse(EXPIRED, status_code=400)
        page_token = "EAApage" + secrets.token_urlsafe(24)
        state.tokens[page_token] = "meta"  # page tokens call the page / IG edges
        return JSONResponse({"data": [{
            "id": state.fb_page_id, "name": "henshin tea", "category": "Cafe", "access_token": page_token,
            "tasks": ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"],
            "instagram_business_account": {"id": state.ig_user_id, "username": state.ig_username},
        }], "paging": {"cursors": {"before": "0", "after": "1"}}})
