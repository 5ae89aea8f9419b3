"""The connector interface every network implements.

A connector is constructed per channel: ``Connector(config, base_url=..., http=...)``
where ``config`` is an instance of the connector's ``config_model`` (a pydantic model with
``SecretStr`` secrets — the channels module stores it encrypted and renders its JSON
Schema as the "connect a channel" form) and ``base_url`` points at the real API
(``default_base_url``) or at the sandbox (``RunningSandbox.url + "/x"`` …).

How the later phase wires it (documented here so each side codes to it):

- **Pollers** call ``poll(cursor)`` with the cursor they stored after the previous call
  (``None`` the first time) and store ``PollResult.cursor``; items go to ingest, which
  dedupes on (channel, external_id) so poll + webhook of one item = one engagement.
- **Webhook routes** (``/webhooks/<network>/<channel_id>``) call, with the raw request:
  ``webhook_challenge`` first (answer it if not None), then ``verify_webhook`` (401 on
  ``SignatureInvalid``), then store the raw body and acknowledge; the worker calls
  ``parse_webhook`` (``MalformedPayload`` is recorded on the channel, never dropped).
- **The outbound worker** claims a row (queued → sending), calls ``perform(action)`` and
  stores ``OutboundResult.external_id`` (→ sent). If it finds a row still ``sending``
  after a crash, it calls ``find_delivered(action)`` first and only re-sends when that
  returns None (see ``deliver_once``). LINE honours ``idempotency_key`` natively
  (``X-Line-Retry-Key``). Errors: ``AuthExpired`` → channel disconnected;
  ``RateLimited`` → requeue at ``reset_at``; ``TransientError`` → requeue with backoff;
  ``PermanentError`` → failed, ``network_message`` shown to the agent.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel, Field

from henshin.connectors.errors import Unsupported
from henshin.connectors.transport import RateLimitState
from henshin.connectors.types import (
    Author,
    InboundEngagement,
    Network,
    OutboundAction,
    OutboundResult,
)


class Capability(StrEnum):
    POLL = "poll"
    BACKFILL = "backfill"
    WEBHOOK = "webhook"
    REPLY = "reply"
    PRIVATE_REPLY = "private_reply"
    DM = "dm"
    HIDE = "hide"
    UNHIDE = "unhide"
    DELETE = "delete"
    LIKE = "like"
    LISTENING = "listening"
    PROFILE = "profile"
    OAUTH = "oauth"


Counting = Literal["x_weighted", "characters", "utf16", "utf8_bytes"]


class TextLimits(BaseModel):
    """How long an outgoing text may be, and how the network counts it."""

    max_length: int
    counting: Counting = "characters"
    dm_max_length: int | None = None
    dm_counting: Counting | None = None  # when DMs count differently from public replies


class PollResult(BaseModel):
    """What one poll returned: new items, the cursor to pass next time, rate-limit state."""

    items: list[InboundEngagement] = Field(default_factory=list)
    cursor: dict[str, Any] = Field(default_factory=dict)
    rate_limit: RateLimitState | None = None
    # What the network no longer serves (or refused) while the rest came through, in words
    # for the channel's health: e.g. Facebook Page reviews once Graph retires them.
    warnings: list[str] = Field(default_factory=list)


class ChallengeResponse(BaseModel):
    """The answer to a webhook verification handshake, for the web layer to return as is."""

    status_code: int = 200
    body: str
    media_type: str = "text/plain"


Headers = Mapping[str, str]


class Connector(ABC):
    """One network's connector, bound to one channel's configuration."""

    network: ClassVar[Network]
    capabilities: ClassVar[frozenset[Capability]]
    text_limits: ClassVar[TextLimits]
    config_model: ClassVar[type[BaseModel]]
    default_base_url: ClassVar[str]

    def __init__(self, config: BaseModel, *, base_url: str | None = None,
                 http: httpx.AsyncClient | None = None) -> None:
        if not isinstance(config, self.config_model):
            config = self.config_model.model_validate(config)
        self.config = config
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.http = http

    def account_id(self) -> str | None:
        """The network's id of the connected account (routes shared webhooks to a channel)."""
        return None

    def supports(self, capability: Capability) -> bool:
        """True when this network offers ``capability``."""
        return capability in self.capabilities

    def _unsupported(self, what: str) -> Unsupported:
        return Unsupported(f"{self.network.value} does not support {what}")

    async def aclose(self) -> None:  # noqa: B027 - optional hook: connectors without a pool keep it
        """Release the HTTP connection pool the connector owns (if any)."""

    # --- inbound: pull -------------------------------------------------------------
    async def poll(self, cursor: dict[str, Any] | None) -> PollResult:
        """Fetch what is new since ``cursor`` (None: start from now / the latest page)."""
        raise self._unsupported("polling")

    async def backfill(self, since: datetime, until: datetime) -> list[InboundEngagement]:
        """Fetch engagements created in [since, until) where the API allows it."""
        raise self._unsupported("backfill")

    # --- inbound: push (pure; the web layer passes the raw request) -----------------
    def webhook_challenge(self, method: str, query: Mapping[str, str], headers: Headers,
                          body: bytes) -> ChallengeResponse | None:
        """Answer the network's verification handshake, or None if this is no handshake."""
        return None

    def verify_webhook(self, headers: Headers, body: bytes) -> None:
        """Raise ``SignatureInvalid`` unless the delivery is signed with the channel's secret."""
        raise self._unsupported("webhooks")

    def parse_webhook(self, headers: Headers, body: bytes) -> list[InboundEngagement]:
        """Normalize one delivery; raise ``MalformedPayload`` on anything not understood."""
        raise self._unsupported("webhooks")

    # --- outbound -------------------------------------------------------------------
    @abstractmethod
    async def perform(self, action: OutboundAction) -> OutboundResult:
        """Do ``action`` on the network; raise a typed error when it cannot be done."""

    async def find_delivered(self, action: OutboundAction) -> OutboundResult | None:
        """After a crash mid-send: the already-published result of ``action``, if any."""
        return None

    async def fetch_profile(self, external_id: str) -> Author:
        """Look up a user's profile by network id."""
        raise self._unsupported("profile lookup")

    # --- OAuth authorization-code flow -----------------------------------------------
    def authorize_url(self, state: str, redirect_uri: str, *, code_challenge: str | None = None) -> str:
        """The URL to send an admin to so they grant henshin access."""
        raise self._unsupported("OAuth")

    async def exchange_code(self, code: str, redirect_uri: str, *,
                            code_verifier: str | None = None) -> dict[str, Any]:
        """Trade the authorization code for credentials (fields of ``config_model``)."""
        raise self._unsupported("OAuth")


async def deliver_once(connector: Connector, action: OutboundAction, *,
                       attempted_before: bool) -> OutboundResult:
    """Perform ``action`` unless a previous attempt (``attempted_before``) already landed.

    The outbound worker calls this with ``attempted_before=True`` for a row it found in
    state ``sending`` (the process died mid-send), so a reply is published exactly once.
    """
    if attempted_before:
        existing = await connector.find_delivered(action)
        if existing is not None:
            return existing
    return await connector.perform(action)
