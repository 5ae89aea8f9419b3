"""Conditional GET of a feed (``ETag`` / ``Last-Modified`` → ``If-None-Match`` / ``If-Modified-Since``)."""

from __future__ import annotations

import httpx

from henshin.connectors.errors import ConnectorError, generic_error
from henshin.connectors.transport import ApiClient


class FeedClient(ApiClient):
    """Fetches feeds; a 304 is a normal answer (nothing new)."""

    def map_error(self, response: httpx.Response) -> ConnectorError | None:
        if response.status_code == 304:
            return None
        if response.status_code in (401, 403):  # a feed has no token: access refused is permanent
            return generic_error(400, response.headers, f"feed refused access ({response.status_code})")
        return generic_error(response.status_code, response.headers, response.reason_phrase)
