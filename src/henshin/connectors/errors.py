"""Typed connector errors, and the mapping from a network's HTTP answer to them.

The outbound worker and the pollers decide what to do from the type alone:

- ``AuthExpired``: stop using the channel, mark it disconnected, tell its admins.
- ``RateLimited``: keep the work, try again after ``reset_at`` / ``retry_after``.
- ``TransientError``: retried with backoff inside the client (bounded); if it still
  fails, the caller retries later. Never drop the work.
- ``PermanentError``: record ``network_message`` on the message; do not retry.
- ``SignatureInvalid`` / ``MalformedPayload``: webhook side; reject / surface, never drop.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any


class ConnectorError(Exception):
    """Base of every error a connector raises; ``network_message`` is the network's text."""

    def __init__(self, message: str, *, network_message: str | None = None,
                 status_code: int | None = None, code: int | str | None = None) -> None:
        super().__init__(message)
        self.network_message = network_message or message
        self.status_code = status_code
        self.code = code


class AuthExpired(ConnectorError):
    """The channel's token is expired or revoked: reconnect the channel."""


class RateLimited(ConnectorError):
    """The network asked us to slow down; retry after ``reset_at`` or ``retry_after`` seconds."""

    def __init__(self, message: str, *, reset_at: datetime | None = None,
                 retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reset_at = reset_at
        self.retry_after = retry_after

    def wait_seconds(self, now: datetime | None = None, default: float = 60.0) -> float:
        """Seconds to wait before the next call, from the reset time or Retry-After."""
        if self.retry_after is not None:
            return max(0.0, self.retry_after)
        if self.reset_at is not None:
            now = now or datetime.now(UTC)
            return max(0.0, (self.reset_at - now).total_seconds())
        return default


class TransientError(ConnectorError):
    """A timeout, connection failure or 5xx: safe to retry with backoff."""


class PermanentError(ConnectorError):
    """The network refused the request for good (bad input, policy, window closed)."""


class Unsupported(PermanentError):
    """The connector does not offer this capability on this network."""


class SignatureInvalid(ConnectorError):
    """A webhook delivery's signature is missing or does not match: reject it (401/403)."""


class MalformedPayload(ConnectorError):
    """A payload henshin cannot understand; surfaced with what was wrong, never dropped."""


def _epoch(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(float(value)), tz=UTC)
    except (ValueError, OverflowError):
        return None


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Parse ``Retry-After`` given in seconds (the HTTP-date form is treated as absent)."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def body_json(content: bytes) -> dict[str, Any]:
    """The response body as a JSON object, or ``{}`` when it is not one."""
    try:
        data = json.loads(content or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def generic_error(status: int, headers: Mapping[str, str], message: str,
                  *, code: int | str | None = None) -> ConnectorError | None:
    """Map an HTTP status to a typed error the way most REST APIs mean it; None on 2xx/3xx."""
    if status < 400:
        return None
    kwargs: dict[str, Any] = {"network_message": message, "status_code": status, "code": code}
    if status == 401:
        return AuthExpired(f"access token rejected: {message}", **kwargs)
    if status == 429:
        return RateLimited(f"rate limited: {message}",
                           reset_at=_epoch(headers.get("x-rate-limit-reset")),
                           retry_after=retry_after_seconds(headers), **kwargs)
    if status in (408, 425) or status >= 500:
        return TransientError(f"network error {status}: {message}", **kwargs)
    return PermanentError(message, **kwargs)


def meta_error(status: int, headers: Mapping[str, str], content: bytes) -> ConnectorError | None:
    """Map a Graph API answer (Facebook, Instagram) to a typed error.

    Graph errors are ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id",
    "is_transient"}}``. Code 190 = token invalid/expired; 4, 17, 32, 613 and the 80000–80014
    business-use-case codes = throttled (the usage headers give minutes to regain access);
    ``is_transient`` or codes 1, 2 = temporary.
    """
    if status < 400:
        return None
    error = body_json(content).get("error") or {}
    message = str(error.get("message") or f"HTTP {status}")
    code = error.get("code")
    kwargs: dict[str, Any] = {"network_message": message, "status_code": status, "code": code}
    if code == 190 or (status == 401 and code is None):
        return AuthExpired(f"Meta access token invalid: {message}", **kwargs)
    if code in (4, 17, 32, 613) or (isinstance(code, int) and 80000 <= code <= 80014) or status == 429:
        return RateLimited(f"Meta rate limit: {message}", reset_at=None,
                           retry_after=_meta_regain_seconds(headers), **kwargs)
    if error.get("is_transient") or code in (1, 2) or status >= 500:
        return TransientError(f"Meta temporary error: {message}", **kwargs)
    return PermanentError(message, **kwargs)


def _meta_regain_seconds(headers: Mapping[str, str]) -> float | None:
    """Minutes-to-regain from ``X-Business-Use-Case-Usage`` (per business id, per type)."""
    raw = headers.get("x-business-use-case-usage")
    if not raw:
        return retry_after_seconds(headers)
    try:
        usage = json.loads(raw)
    except ValueError:
        return None
    minutes = [
        float(entry.get("estimated_time_to_regain_access", 0) or 0)
        for entries in usage.values() if isinstance(entries, list)
        for entry in entries if isinstance(entry, dict)
    ]
    return max(minutes) * 60 if minutes else None


def seconds_until(moment: datetime, now: datetime | None = None) -> float:
    """Seconds from ``now`` (default: the current UTC time) until ``moment``."""
    return ((moment - (now or datetime.now(UTC))) / timedelta(seconds=1))
