"""The sandbox's fake world: accounts, posts, comments, DMs, feeds, tokens, faults, and a
log of every outbound call the connectors made (tests assert on it)."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class Fault:
    """One injected failure: an HTTP status (429, 5xx) or a delay, for calls under ``prefix``."""

    prefix: str
    status: int | None = None
    delay: float = 0.0
    reset_in: int = 60
    remaining: int = 1


@dataclass
class SandboxState:
    """Everything the fake networks know. Thread-safe enough for one test at a time."""

    x_user_id: str = "1000000000000000001"
    x_username: str = "henshin_books"
    x_consumer_secret: str = "sandbox-x-consumer-secret"  # noqa: S105 - the fake network\'s own key
    x_client_id: str = "sandbox-x-client"
    meta_app_secret: str = "sandbox-meta-app-secret"  # noqa: S105 - the fake network\'s own key
    meta_verify_token: str = "sandbox-verify"  # noqa: S105 - the fake network\'s own key
    meta_app_id: str = "100000000000099"
    ig_user_id: str = "17841400000000001"
    ig_username: str = "henshin_tea"
    fb_page_id: str = "100000000000001"
    line_channel_secret: str = "sandbox-line-channel-secret"  # noqa: S105 - the fake network\'s own key
    line_bot_user_id: str = "Ub0000000000000000000000000000001"
    tokens: dict[str, str] = field(default_factory=lambda: {
        "x-token": "x", "meta-token": "meta", "line-token": "line"})
    expired_tokens: set[str] = field(default_factory=set)
    token_scopes: dict[str, set[str]] = field(default_factory=dict)  # OAuth-granted token → scopes
    tweets: list[dict[str, Any]] = field(default_factory=list)
    x_users: dict[str, dict[str, Any]] = field(default_factory=dict)
    dm_events: list[dict[str, Any]] = field(default_factory=list)
    ig_media: list[dict[str, Any]] = field(default_factory=list)
    ig_comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fb_posts: list[dict[str, Any]] = field(default_factory=list)
    fb_comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fb_ratings: list[dict[str, Any]] = field(default_factory=list)
    # As Graph answers from v22.0 on (and every call once v21.0 expires on 2027-01-21): the
    # Page ratings edge is gone, error code 12.
    fb_ratings_retired: bool = False
    # Customer id → when they last messaged the page / IG account (the Send API's window).
    meta_last_message_at: dict[str, datetime] = field(default_factory=dict)
    line_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    line_reply_tokens: dict[str, bool] = field(default_factory=dict)  # token → used
    # retry key → {"request_id", "sentMessages"} of the request that was accepted with it
    line_retry_keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    feeds: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → {body, etag, last_modified}
    oauth_codes: dict[str, dict[str, str]] = field(default_factory=dict)
    outbound: list[dict[str, Any]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self, base: int = 1900000000000000000) -> str:
        """A fresh, increasing numeric id (snowflake-like for X)."""
        with self._lock:
            return str(base + next(self._ids))

    # --- failure injection ----------------------------------------------------------
    def fail_next(self, prefix: str, status: int, *, times: int = 1, reset_in: int = 60) -> None:
        """The next ``times`` calls under ``prefix`` (e.g. "/x") answer ``status``."""
        self.faults.append(Fault(prefix=prefix, status=status, remaining=times, reset_in=reset_in))

    def delay_next(self, prefix: str, seconds: float, *, times: int = 1) -> None:
        """The next ``times`` calls under ``prefix`` answer only after ``seconds`` (timeouts)."""
        self.faults.append(Fault(prefix=prefix, delay=seconds, remaining=times))

    def expire_token(self, token: str) -> None:
        """Make ``token`` answer as expired/revoked from now on."""
        self.expired_tokens.add(token)

    def take_fault(self, path: str) -> Fault | None:
        """Consume the first fault matching ``path``, if any."""
        with self._lock:
            for fault in self.faults:
                if path.startswith(fault.prefix) and fault.remaining > 0:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def token_ok(self, token: str | None, network: str) -> bool:
        """True when ``token`` belongs to ``network`` and has not been expired."""
        return bool(token) and self.tokens.get(token or "") == network and token not in self.expired_tokens

    def record(self, network: str, action: str, **details: Any) -> dict[str, Any]:
        """Log an outbound call the sandbox accepted."""
        entry = {"network": network, "action": action, "at": datetime.now(UTC).isoformat(), **details}
        with self._lock:
            self.outbound.append(entry)
        return entry

    def sent(self, network: str, action: str | None = None) -> list[dict[str, Any]]:
        """Outbound calls recorded for ``network`` (and ``action``)."""
        return [o for o in self.outbound if o["network"] == network and (action is None or o["action"] == action)]
