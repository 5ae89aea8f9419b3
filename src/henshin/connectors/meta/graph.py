"""HTTP client for Meta's Graph API (Facebook Pages, Instagram)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from henshin.connectors.errors import ConnectorError, body_json, meta_error
from henshin.connectors.transport import ApiClient, RateLimitState

GRAPH_BASE_URL = "https://graph.facebook.com/v21.0"


class GraphClient(ApiClient):
    """Calls the Graph API with a page / Instagram access token."""

    def __init__(self, base_url: str, access_token: str, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self.access_token = access_token

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def map_error(self, response: httpx.Response) -> ConnectorError | None:
        return meta_error(response.status_code, response.headers, response.content)

    def read_rate_limit(self, headers: Mapping[str, str]) -> RateLimitState | None:
        # X-App-Usage: {"call_count": %, "total_time": %, "total_cputime": %}
        raw = headers.get("x-app-usage")
        if not raw:
            return None
        usage = body_json(raw.encode())
        used = max((int(v) for v in usage.values() if isinstance(v, int | float)), default=0)
        return RateLimitState(limit=100, remaining=max(0, 100 - used))

    async def pages(self, path: str, params: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Follow cursor pagination (``paging.cursors.after`` while ``paging.next``)."""
        query = dict(params)
        while True:
            page = await self.get_json(path, params=query)
            yield page
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                return
            query["after"] = after
