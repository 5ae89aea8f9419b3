"""HTTP client for the X API v2 (bearer user token, ``x-rate-limit-*`` headers)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from henshin.connectors.errors import ConnectorError, body_json, generic_error
from henshin.connectors.transport import ApiClient, RateLimitState, rate_limit_from_x_headers


class XClient(ApiClient):
    """Calls ``https://api.x.com`` (or the sandbox's ``/x``) as one user."""

    def __init__(self, base_url: str, access_token: str, **kwargs: object) -> None:
        super().__init__(base_url, **kwargs)  # type: ignore[arg-type]
        self.access_token = access_token

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def read_rate_limit(self, headers: Mapping[str, str]) -> RateLimitState | None:
        return rate_limit_from_x_headers(headers)

    def map_error(self, response: httpx.Response) -> ConnectorError | None:
        if response.status_code < 400:
            return None
        # v2 problem shape: {"title","detail","type","status"}; older: {"errors":[{"message"}]}
        data = body_json(response.content)
        errors = data.get("errors") or [{}]
        message = str(data.get("detail") or data.get("title") or errors[0].get("message")
                      or response.reason_phrase)
        return generic_error(response.status_code, response.headers, message)
