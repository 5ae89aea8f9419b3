"""One FastAPI app holding every sandbox network: ``/x``, ``/graph/v21.0``, ``/line``, ``/rss``."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from henshin.sandbox.line_api import build_line_router
from henshin.sandbox.meta_api import build_meta_router
from henshin.sandbox.rss_api import build_rss_router
from henshin.sandbox.state import Fault, SandboxState
from henshin.sandbox.x_api import build_x_router

GRAPH_PREFIX = "/graph/v21.0"


def _graph_throttled(path: str, fault: Fault, state: SandboxState) -> Response:
    """Business-use-case throttling, as page and Instagram tokens get it (Graph rate-limiting
    docs): error 80001 for a page, 80002 for an Instagram account, and the
    ``X-Business-Use-Case-Usage`` header with the minutes until access returns. Graph sends
    no Retry-After."""
    instagram = state.ig_user_id in path or any(m["id"] in path for m in state.ig_media) or any(
        c["id"] in path for rows in state.ig_comments.values() for c in rows)
    code, kind, owner = (80002, "instagram", state.ig_user_id) if instagram else (80001, "pages", state.fb_page_id)
    what = "Instagram account" if instagram else "Page account"
    usage = {owner: [{"type": kind, "call_count": 100, "total_cputime": 12, "total_time": 14,
                      "estimated_time_to_regain_access": max(1, math.ceil(fault.reset_in / 60))}]}
    return JSONResponse({"error": {
        "message": f"(#{code}) There have been too many calls to this {what}. Wait a bit and try again. For more "
                   "info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
        "type": "OAuthException", "code": code, "fbtrace_id": "AsandboxTrace"}},
        status_code=403, headers={"X-Business-Use-Case-Usage": json.dumps(usage)})


def _fault_response(path: str, fault: Fault, state: SandboxState) -> Response:
    """The failure in the shape the network's docs give for it."""
    status = fault.status or 500
    reset = int(time.time()) + fault.reset_in
    if path.startswith("/x"):
        if status == 429:
            return JSONResponse({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                                 "status": 429}, status_code=429,
                                headers={"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0",
                                         "x-rate-limit-reset": str(reset)})
        return JSONResponse({"title": "Service Unavailable", "status": status}, status_code=status)
    if path.startswith("/graph"):
        if status == 429:
            return _graph_throttled(path, fault, state)
        return JSONResponse({"error": {"message": "An unexpected error has occurred. Please retry your request later.",
                                       "type": "OAuthException", "code": 2, "is_transient": True}}, status_code=status)
    if status == 429:
        return JSONResponse({"message": "The API rate limit has been exceeded. Try again later."}, status_code=429)
    return JSONResponse({"message": "Internal server error"}, status_code=status)


def create_sandbox_app(state: SandboxState) -> FastAPI:
    """The sandbox networks as one ASGI app bound to ``state``."""
    app = FastAPI(title="henshin sandbox networks", docs_url=None, redoc_url=None)

    @app.middleware("http")
    async def inject_faults(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        state.calls.append((request.method, path))
        fault = state.take_fault(path)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status:
                return _fault_response(path, fault, state)
        return await call_next(request)

    app.include_router(build_x_router(state), prefix="/x")
    app.include_router(build_meta_router(state), prefix=GRAPH_PREFIX)
    app.include_router(build_line_router(state), prefix="/line")
    app.include_router(build_rss_router(state), prefix="/rss")
    return app
