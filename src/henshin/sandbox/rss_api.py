"""Fake feeds under ``/rss/{name}`` with ETag / Last-Modified conditional GET."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from henshin.sandbox.state import SandboxState


def build_rss_router(state: SandboxState) -> APIRouter:
    """Serve ``state.feeds[name]`` honouring If-None-Match / If-Modified-Since."""
    router = APIRouter()

    @router.get("/{name}")
    async def feed(name: str, request: Request) -> Response:
        entry = state.feeds.get(name)
        if entry is None:
            return Response("not found", status_code=404)
        headers = {"ETag": entry["etag"], "Last-Modified": entry["last_modified"]}
        if request.headers.get("if-none-match") == entry["etag"] or (
                request.headers.get("if-modified-since") == entry["last_modified"]):
            return Response(status_code=304, headers=headers)
        return Response(entry["body"], media_type="application/rss+xml", headers=headers)

    return router
