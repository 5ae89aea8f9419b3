"""HTTP client for the LINE Messaging API (``https://api.line.me``)."""

from __future__ import annotations

import httpx

from henshin.connectors.errors import ConnectorError, body_json, generic_error
from henshin.connectors.transport import ApiClient


class LineClient(ApiClient):
    """Calls the Messaging API with a channel access token."""

    def __init__(self, base_url: str, access_token: str, **kwargs: object) -> None:
        super().__init__(base_url, **kwargs)  # type: ignore[arg-type]
        self.access_token = access_token

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def map_error(self, response: httpx.Response) -> ConnectorError | None:
        if response.status_code < 400:
            return None
        if response.status_code == 409 and response.headers.get("x-line-accepted-request-id"):
            return None  # X-Line-Retry-Key already accepted: the message was sent once
        data = body_json(response.content)
        details = "; ".join(f"{d.get('property')}: {d.get('message')}" for d in data.get("details") or [])
        message = str(data.get("message") or response.reason_phrase) + (f" ({details})" if details else "")
        return generic_error(response.status_code, response.headers, message)
