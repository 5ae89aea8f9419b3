"""Fake feeds under ``/rss/{name}`` with ETag / Last-Modified conditional GET."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from henshin.sandbox.state import SandboxState


def _http_date(value: str | None) -> datetime | None:
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


def not_modified(request: Request, etag: str, last_modified: str) -> bool:
    """RFC 9110 §13.2.2: If-None-Match (weak comparison, ``*``) decides when present and
    If-Modified-Since is then ignored; otherwise 304 when the feed changed no later than
    the If-Modified-Since date (an unparsable date is ignored)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        weak = etag.removeprefix("W/")
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or weak in tags
    since, changed = _http_date(request.headers.get("if-modified-since")), _http_date(last_modified)
    return since is not None and changed is not None and changed <= since


def build_rss_router(state: SandboxState) -> APIRouter:
    """Serve ``state.feeds[name]`` honouring If-None-Match / If-Modified-Since."""
    router = APIRouter()

    @router.get("/{name}")
    async def feed(name: str, request: Request) -> Response:
        entry = state.feeds.get(name)
        if entry is None:
            return Response("not found", status_code=404)
        headers = {"ETag": entry["etag"], "Last-Modified": entry["last_modified"]}
        if not_modified(request, entry["etag"], entry["last_modified"]):
            return Response(status_code=304, headers=headers)
        media_type = "application/atom+xml" if b"http://www.w3.org/2005/Atom" in entry["body"][:300] \
            else "application/rss+xml"
        return Response(entry["body"], media_type=media_type, headers=headers)

    return router
