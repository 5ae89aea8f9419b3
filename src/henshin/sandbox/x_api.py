"""Fake X API v2 under ``/x``: timelines, search, DMs, posting, hiding, OAuth 2.0 PKCE."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse

from henshin.sandbox.state import SandboxState

UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


FORBIDDEN = {"title": "Forbidden", "type": "about:blank", "status": 403, "detail": "Forbidden"}


class InvalidRequest(ValueError):
    """A query parameter out of the range X documents for the endpoint."""


def _invalid(name: str, value: str, low: int, high: int) -> JSONResponse:
    return JSONResponse({"errors": [{"parameters": {name: [value]},
                                     "message": f"The `{name}` query parameter value [{value}] is not between "
                                                f"{low} and {high}"}],
                         "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
                         "type": "https://api.twitter.com/2/problems/invalid-request"}, status_code=400)


def _page(items: list[dict[str, Any]], request: Request, *, low: int = 5,
          default: int = 10) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One page newest first; ``low``..100 results (search: 10..100, timelines: 5..100).
    Search also takes ``next_token`` as the page parameter, timelines ``pagination_token``."""
    q = request.query_params
    rows = sorted(items, key=lambda t: int(t["id"]), reverse=True)
    if q.get("since_id"):
        rows = [t for t in rows if int(t["id"]) > int(q["since_id"])]
    start = int(q.get("pagination_token") or q.get("next_token") or 0)
    size = int(q.get("max_results") or default)
    if not low <= size <= 100:
        raise InvalidRequest(q["max_results"], low)
    chunk = rows[start:start + size]
    meta: dict[str, Any] = {"result_count": len(chunk)}
    if chunk:
        meta.update(newest_id=chunk[0]["id"], oldest_id=chunk[-1]["id"])
    if start + size < len(rows):
        meta["next_token"] = str(start + size)
    return chunk, meta


def build_x_router(state: SandboxState) -> APIRouter:
    """Routes with the paths, shapes and auth of the X API v2 docs."""
    router = APIRouter()

    def authed(request: Request) -> bool:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        return state.token_ok(token, "x")

    def has_scope(request: Request, scope: str) -> bool:
        """Tokens from the OAuth flow carry the scopes granted; seeded tokens carry all."""
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        return token not in state.token_scopes or scope in state.token_scopes[token]

    def timeline(rows: list[dict[str, Any]], request: Request, *, low: int = 5) -> JSONResponse:
        if not authed(request):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        try:
            chunk, meta = _page(rows, request, low=low)
        except InvalidRequest as exc:
            return _invalid("max_results", str(exc.args[0]), exc.args[1], 100)
        refs = {r["id"] for t in chunk for r in t.get("referenced_tweets", [])}
        ref_tweets = [t for t in state.tweets if t["id"] in refs]
        users = {t["author_id"] for t in chunk + ref_tweets}
        body: dict[str, Any] = {"meta": meta}
        if chunk:
            body["data"] = chunk
            body["includes"] = {"users": [state.x_users[u] for u in users if u in state.x_users],
                                "tweets": ref_tweets}
        return JSONResponse(body, headers=_limits())

    @router.get("/2/users/me")
    async def me(request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        return JSONResponse({"data": {"id": state.x_user_id, "username": state.x_username,
                                      "name": state.x_users.get(state.x_user_id, {}).get("name", state.x_username)}})

    @router.get("/2/users/{user_id}/mentions")
    async def mentions(user_id: str, request: Request) -> JSONResponse:
        handle = f"@{state.x_username}".lower()
        return timeline([t for t in state.tweets if handle in t["text"].lower()
                         or t.get("in_reply_to_user_id") == user_id], request)

    @router.get("/2/users/{user_id}/tweets")
    async def own_tweets(user_id: str, request: Request) -> JSONResponse:
        return timeline([t for t in state.tweets if t["author_id"] == user_id], request)

    @router.get("/2/tweets/search/recent")
    async def search(request: Request) -> JSONResponse:
        words = [w for w in request.query_params.get("query", "").split() if not w.startswith("-")
                 and w.upper() != "OR"]
        return timeline([t for t in state.tweets if any(w.lower() in t["text"].lower() for w in words)], request,
                        low=10)

    @router.get("/2/dm_events")
    async def dm_events(request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        try:
            chunk, meta = _page(state.dm_events, request, low=1, default=100)
        except InvalidRequest as exc:
            return _invalid("max_results", str(exc.args[0]), exc.args[1], 100)
        users = {e["sender_id"] for e in chunk}
        body: dict[str, Any] = {"meta": meta}
        if chunk:  # like every v2 list, no "data" key when nothing matched
            body.update(data=chunk, includes={"users": [state.x_users[u] for u in users if u in state.x_users]})
        return JSONResponse(body, headers=_limits())

    @router.get("/2/dm_conversations/with/{participant_id}/dm_events")
    async def conversation(participant_id: str, request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        return JSONResponse({"data": [e for e in state.dm_events
                                      if participant_id in e["dm_conversation_id"].split("-")]})

    @router.post("/2/tweets")
    async def create_tweet(request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        body = await request.json()
        tweet_id = state.next_id()
        parent = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        tweet = {"id": tweet_id, "text": body["text"], "author_id": state.x_user_id,
                 "created_at": _now(), "edit_history_tweet_ids": [tweet_id]}
        if parent:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
        state.tweets.append(tweet)
        state.record("x", "reply" if parent else "post", id=tweet_id, target=parent, text=body["text"])
        return JSONResponse({"data": {"id": tweet_id, "text": body["text"],
                                      "edit_history_tweet_ids": [tweet_id]}}, status_code=201)

    @router.post("/2/dm_conversations/with/{participant_id}/messages")
    async def send_dm(participant_id: str, request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        body = await request.json()
        event_id = state.next_id()
        conversation_id = "-".join(sorted((state.x_user_id, participant_id), key=int))
        state.dm_events.append({"id": event_id, "text": body["text"], "event_type": "MessageCreate",
                                "dm_conversation_id": conversation_id, "sender_id": state.x_user_id,
                                "created_at": _now()})
        state.record("x", "dm", id=event_id, target=participant_id, text=body["text"])
        return JSONResponse({"data": {"dm_conversation_id": conversation_id, "dm_event_id": event_id}},
                            status_code=201)

    @router.put("/2/tweets/{tweet_id}/hidden")
    async def hide(tweet_id: str, request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        if not has_scope(request, "tweet.moderate.write"):
            return JSONResponse(FORBIDDEN, status_code=403)
        hidden = bool((await request.json()).get("hidden"))
        state.record("x", "hide" if hidden else "unhide", target=tweet_id)
        return JSONResponse({"data": {"hidden": hidden}})

    @router.delete("/2/tweets/{tweet_id}")
    async def delete(tweet_id: str, request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        state.tweets = [t for t in state.tweets if t["id"] != tweet_id]
        state.record("x", "delete", target=tweet_id)
        return JSONResponse({"data": {"deleted": True}})

    @router.post("/2/users/{user_id}/likes")
    async def like(user_id: str, request: Request) -> JSONResponse:
        if not authed(request):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        state.record("x", "like", target=(await request.json())["tweet_id"])
        return JSONResponse({"data": {"liked": True}})

    @router.get("/i/oauth2/authorize")
    async def authorize(request: Request) -> RedirectResponse:
        q = request.query_params
        code = secrets.token_urlsafe(16)
        state.oauth_codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"],
                                   "scope": q.get("scope", "")}
        return RedirectResponse(f"{q['redirect_uri']}?state={q['state']}&code={code}", status_code=302)

    @router.post("/2/oauth2/token")
    async def token(code: str = Form(), code_verifier: str = Form(), redirect_uri: str = Form(),
                    grant_type: str = Form()) -> JSONResponse:
        grant = state.oauth_codes.pop(code, None)
        digest = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest()).rstrip(b"=").decode()
        if not grant or grant["challenge"] != digest or grant["redirect_uri"] != redirect_uri:
            return JSONResponse({"error": "invalid_request",
                                 "error_description": "Value passed for the authorization code was invalid."},
                                status_code=400)
        access = secrets.token_urlsafe(24)
        state.tokens[access] = "x"
        state.token_scopes[access] = set(grant["scope"].split())  # the admin grants what was asked
        return JSONResponse({"token_type": "bearer", "expires_in": 7200, "access_token": access,
                             "scope": grant["scope"], "refresh_token": secrets.token_urlsafe(24)})

    return router


def _limits() -> dict[str, str]:
    import time
    return {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449",
            "x-rate-limit-reset": str(int(time.time()) + 900)}


def _now() -> str:
    from datetime import UTC, datetime
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
