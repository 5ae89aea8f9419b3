"""The HTTP side shared by every network client: retries, timeouts, typed errors.

Each network's ``client.py`` subclasses ``ApiClient`` and supplies ``map_error`` (how that
network says "expired", "slow down", "try again"). Transient failures (timeouts,
connection errors, 5xx) are retried with exponential backoff via tenacity, a bounded
number of times; every other error is raised to the caller at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import BaseModel
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from henshin.connectors.errors import ConnectorError, TransientError, body_json, generic_error


class RateLimitState(BaseModel):
    """The latest rate-limit window a network reported (shown on the channel's health)."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None


class RetryPolicy(BaseModel):
    """How hard the client retries transient failures before giving up."""

    attempts: int = 3
    initial_wait: float = 0.5
    max_wait: float = 8.0
    timeout: float = 15.0


class ApiClient:
    """An async JSON client for one network's API at ``base_url``.

    Pass ``http`` to share a connection pool; otherwise the client owns one and closes it
    in ``aclose``.
    """

    retry_policy = RetryPolicy()

    def __init__(self, base_url: str, *, http: httpx.AsyncClient | None = None,
                 retry_policy: RetryPolicy | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        if retry_policy is not None:
            self.retry_policy = retry_policy
        elif os.environ.get("HENSHIN_HTTP_RETRY_WAIT"):  # tests (and impatient demos) shorten the waits
            wait = float(os.environ["HENSHIN_HTTP_RETRY_WAIT"])
            self.retry_policy = self.retry_policy.model_copy(update={"initial_wait": wait, "max_wait": wait * 4})
        self._owns_http = http is None
        self.http = http or httpx.AsyncClient(timeout=self.retry_policy.timeout)
        self.rate_limit: RateLimitState | None = None

    async def aclose(self) -> None:
        """Close the connection pool if this client created it."""
        if self._owns_http:
            await self.http.aclose()

    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate every call (overridden per network)."""
        return {}

    def map_error(self, response: httpx.Response) -> ConnectorError | None:
        """Turn a non-2xx response into a typed error (overridden per network)."""
        data = body_json(response.content)
        message = str(data.get("detail") or data.get("message") or data.get("title")
                      or response.reason_phrase or response.status_code)
        return generic_error(response.status_code, response.headers, message)

    def read_rate_limit(self, headers: Mapping[str, str]) -> RateLimitState | None:
        """Rate-limit state from response headers, if the network sends it."""
        return None

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json: Any = None, data: Any = None, headers: Mapping[str, str] | None = None,
                      absolute: bool = False) -> httpx.Response:
        """Send one request with retries on transient failures; raise typed errors."""
        url = path if absolute else f"{self.base_url}{path}"
        merged = {**self.auth_headers(), **(headers or {})}
        policy = self.retry_policy
        response: httpx.Response | None = None
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(policy.attempts),
            wait=wait_exponential(multiplier=policy.initial_wait, max=policy.max_wait),
            retry=retry_if_exception_type(TransientError),
            reraise=True,
        ):
            with attempt:
                response = await self._send_once(method, url, params, json, data, merged)
        assert response is not None
        return response

    async def _send_once(self, method: str, url: str, params: Mapping[str, Any] | None,
                         json: Any, data: Any, headers: Mapping[str, str]) -> httpx.Response:
        try:
            response = await self.http.request(method, url, params=params, json=json,
                                               data=data, headers=headers,
                                               timeout=self.retry_policy.timeout)
        except httpx.TimeoutException as exc:
            raise TransientError(f"timed out calling {url}: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"could not reach {url}: {exc!r}") from exc
        state = self.read_rate_limit(response.headers)
        if state is not None:
            self.rate_limit = state
        error = self.map_error(response)
        if error is not None:
            raise error
        return response

    async def get_json(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """GET ``path`` and return the JSON object body."""
        return body_json((await self.request("GET", path, **kwargs)).content)

    async def post_json(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """POST to ``path`` and return the JSON object body."""
        return body_json((await self.request("POST", path, **kwargs)).content)


def rate_limit_from_x_headers(headers: Mapping[str, str]) -> RateLimitState | None:
    """Read X's ``x-rate-limit-limit / -remaining / -reset`` (reset = epoch seconds)."""
    if "x-rate-limit-remaining" not in headers:
        return None

    def _int(name: str) -> int | None:
        try:
            return int(headers[name])
        except (KeyError, ValueError):
            return None

    reset = _int("x-rate-limit-reset")
    return RateLimitState(
        limit=_int("x-rate-limit-limit"), remaining=_int("x-rate-limit-remaining"),
        reset_at=datetime.fromtimestamp(reset, tz=UTC) if reset is not None else None,
    )
