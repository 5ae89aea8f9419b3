"""RSS / Atom listening: blog search, news and Google Alerts feeds as listening hits."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from henshin.connectors.base import Capability, Connector, PollResult, TextLimits
from henshin.connectors.rss.client import FeedClient
from henshin.connectors.rss.config import RssConfig
from henshin.connectors.rss.parse import parse_feed
from henshin.connectors.types import Network, OutboundAction, OutboundResult

SEEN_LIMIT = 500  # ids remembered so a feed re-listing old items yields no duplicates


class RssConnector(Connector):
    network: ClassVar[Network] = Network.RSS
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.POLL, Capability.LISTENING})
    text_limits: ClassVar[TextLimits] = TextLimits(max_length=0)
    config_model: ClassVar[type[RssConfig]] = RssConfig
    default_base_url: ClassVar[str] = ""
    config: RssConfig

    def __init__(self, config: Any, *, base_url: str | None = None,
                 http: httpx.AsyncClient | None = None) -> None:
        super().__init__(config, base_url=base_url or "", http=http)
        self.client = FeedClient(self.base_url, http=http)

    def account_id(self) -> str | None:
        return self.config.feed_url

    async def aclose(self) -> None:
        await self.client.aclose()

    @property
    def feed_url(self) -> str:
        url = self.config.feed_url
        return url if "://" in url else f"{self.base_url}/{url.lstrip('/')}"

    async def poll(self, cursor: dict[str, Any] | None) -> PollResult:
        """Conditional GET; new entries only. ``MalformedPayload`` if the feed is broken."""
        cursor = dict(cursor or {})
        headers = {"User-Agent": "henshin-listening/0.1 (+https://github.com/henshin)"}
        if cursor.get("etag"):
            headers["If-None-Match"] = cursor["etag"]
        if cursor.get("last_modified"):
            headers["If-Modified-Since"] = cursor["last_modified"]
        response = await self.client.request("GET", self.feed_url, headers=headers, absolute=True)
        if response.status_code == 304:
            return PollResult(items=[], cursor=cursor)
        items = parse_feed(response.content, feed_url=self.feed_url)
        seen = list(cursor.get("seen", []))
        fresh = [i for i in items if i.external_id not in seen]
        seen = (seen + [i.external_id for i in fresh])[-SEEN_LIMIT:]
        cursor.update(etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"),
                      seen=seen)
        return PollResult(items=fresh, cursor=cursor)

    async def perform(self, action: OutboundAction) -> OutboundResult:
        raise self._unsupported(f"{action.kind.value} on a feed (answer on the site itself)")
