"""HTTP client for Meta's Graph API (Facebook Pages, Instagram)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from henshin.connectors.errors import ConnectorError, body_json, meta_error
from henshin.connectors.transport import ApiClient, RateLimitState

GRAPH_BASE_URL = "https://graph.facebook.com/v21.0"
_USAGE_KEYS = ("call_count", "total_cputime", "total_time")


def _percent(usage: Mapping[str, Any]) -> int:
    """The highest of the usage percentages Meta reports (throttling starts at 100)."""
    return max((int(usage[k]) for k in _USAGE_KEYS if isinstance(usage.get(k), int | float)), default=0)


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
        """Usage in percent from ``X-Business-Use-Case-Usage`` (page and Instagram tokens are
        limited per business use case: ``{id: [{type, call_count, total_cputime, total_time,
        estimated_time_to_regain_access (minutes)}]}``) or ``X-App-Usage`` (app and user
        tokens: ``{call_count, total_cputime, total_time}``)."""
        buc = headers.get("x-business-use-case-usage")
        if buc:
            entries = [e for group in body_json(buc.encode()).values() if isinstance(group, list)
                       for e in group if isinstance(e, dict)]
            if entries:
                used = max(_percent(e) for e in entries)
                regain = max(float(e.get("estimated_time_to_regain_access") or 0) for e in entries)
                reset = datetime.now(UTC) + timedelta(minutes=regain) if regain else None
                return RateLimitState(limit=100, remaining=max(0, 100 - used), reset_at=reset)
        raw = headers.get("x-app-usage")
        if not raw:
            return None
        return RateLimitState(limit=100, remaining=max(0, 100 - _percent(body_json(raw.encode()))))

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
