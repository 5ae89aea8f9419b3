"""Facebook Pages: post and ad comments, Messenger conversations, recommendations in;
reply, private reply, DM (24-hour window), hide/unhide, delete, like out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import httpx

from henshin.connectors.base import Capability, ChallengeResponse, Connector, PollResult, TextLimits
from henshin.connectors.errors import PermanentError
from henshin.connectors.facebook import normalize
from henshin.connectors.facebook.client import GRAPH_BASE_URL, FacebookClient
from henshin.connectors.facebook.config import FacebookConfig
from henshin.connectors.meta import oauth, webhooks
from henshin.connectors.meta.outbound import delete_object, need, send_message
from henshin.connectors.meta.window import WindowState, messaging_window
from henshin.connectors.types import (
    InboundEngagement,
    Network,
    OutboundAction,
    OutboundKind,
    OutboundResult,
)

__all__ = ["FacebookConnector", "WindowState", "messaging_window"]

POST_FIELDS = "id,message,permalink_url,created_time,is_published,promotion_status"
COMMENT_FIELDS = "id,message,from,created_time,parent,permalink_url"


class FacebookConnector(Connector):
    network: ClassVar[Network] = Network.FACEBOOK
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.POLL, Capability.BACKFILL, Capability.WEBHOOK, Capability.REPLY,
        Capability.PRIVATE_REPLY, Capability.DM, Capability.HIDE, Capability.UNHIDE,
        Capability.DELETE, Capability.LIKE, Capability.OAUTH,
    })
    text_limits: ClassVar[TextLimits] = TextLimits(max_length=8000, counting="characters", dm_max_length=2000)
    config_model: ClassVar[type[FacebookConfig]] = FacebookConfig
    default_base_url: ClassVar[str] = GRAPH_BASE_URL
    config: FacebookConfig

    def __init__(self, config: Any, *, base_url: str | None = None,
                 http: httpx.AsyncClient | None = None) -> None:
        super().__init__(config, base_url=base_url, http=http)
        self.graph = FacebookClient(self.base_url, self.config.access_token.get_secret_value(), http=http)

    def account_id(self) -> str | None:
        return self.config.page_id

    async def aclose(self) -> None:
        await self.graph.aclose()

    async def _collect(self, since: datetime | None,
                       until: datetime | None) -> tuple[list[InboundEngagement], list[str]]:
        """Comments (posts and ads) and recommendations in the range, and what could not be read."""
        page_id = self.config.page_id
        items: list[InboundEngagement] = []
        warnings: list[str] = []
        posts: list[dict[str, Any]] = []
        for edge in ("feed", "ads_posts"):  # ads run on dark posts absent from the feed
            data = await self.graph.get_json(f"/{page_id}/{edge}", params={
                "fields": POST_FIELDS, "limit": self.config.posts_to_watch})
            posts += data.get("data") or []
        for post in posts:
            async for page in self.graph.pages(f"/{post['id']}/comments", {
                    "fields": COMMENT_FIELDS, "filter": "stream", "order": "reverse_chronological"}):
                items += [normalize.comment({**c, "post_id": post["id"]}, page_id=page_id, post=post)
                          for c in page.get("data") or []]
        try:
            async for page in self.graph.pages(f"/{page_id}/ratings", {
                    "fields": "created_time,recommendation_type,review_text,reviewer,open_graph_story,rating"}):
                items += [normalize.rating(r) for r in page.get("data") or []]
        except PermanentError as exc:
            # Graph retires the ratings edge from v22.0 on (error 12), and a Page may lack the
            # permission to read reviews: comments and ads still come through, the channel says so.
            warnings.append(f"Facebook Page reviews are not collected: {exc.network_message or exc}")
        kept = [i for i in items if (since is None or i.created_at > since) and (until is None or i.created_at < until)]
        return kept, warnings

    async def poll(self, cursor: dict[str, Any] | None) -> PollResult:
        """Comments (posts and ads) and recommendations newer than ``cursor['since']``.

        Messenger conversations arrive by webhook (``messages`` subscription).
        """
        cursor = dict(cursor or {})
        since = datetime.fromisoformat(cursor["since"]) if cursor.get("since") else None
        items, warnings = await self._collect(since, None)
        if items:
            cursor["since"] = max(i.created_at for i in items).isoformat()
        return PollResult(items=items, cursor=cursor, rate_limit=self.graph.rate_limit, warnings=warnings)

    async def backfill(self, since: datetime, until: datetime) -> list[InboundEngagement]:
        items, _warnings = await self._collect(since, until)
        return items

    def webhook_challenge(self, method: str, query: Mapping[str, str], headers: Mapping[str, str],
                          body: bytes) -> ChallengeResponse | None:
        return webhooks.challenge(method, query, self.config.verify_token.get_secret_value())

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        webhooks.verify(headers, body, self.config.app_secret.get_secret_value())

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[InboundEngagement]:
        items: list[InboundEngagement] = []
        for entry in webhooks.entries(body, "page"):
            items += normalize.webhook_entry(entry, page_id=self.config.page_id)
        return items

    async def perform(self, action: OutboundAction, *, now: datetime | None = None) -> OutboundResult:
        """Do ``action``; a DM outside the 24-hour window raises ``PermanentError`` explaining it."""
        kind = action.kind
        target = action.reply_context.get("reply_target") or action.target_external_id
        if kind is OutboundKind.REPLY:
            data = await self.graph.post_json(f"/{need(target, 'reply')}/comments", json={"message": action.text})
            return OutboundResult(external_id=data.get("id"), raw=data)
        if kind in (OutboundKind.PRIVATE_REPLY, OutboundKind.DM):
            return await send_message(self.graph, self.config.page_id, action,
                                      private_reply=kind is OutboundKind.PRIVATE_REPLY, now=now,
                                      human_agent=self.config.human_agent_tag)
        if kind in (OutboundKind.HIDE, OutboundKind.UNHIDE):
            data = await self.graph.post_json(f"/{need(target, 'hide')}", json={
                "is_hidden": kind is OutboundKind.HIDE})
            return OutboundResult(external_id=target, raw=data)
        if kind is OutboundKind.DELETE:
            return await delete_object(self.graph, need(target, "delete"))
        if kind is OutboundKind.LIKE:
            data = await self.graph.post_json(f"/{need(target, 'like')}/likes")
            return OutboundResult(external_id=target, raw=data)
        raise self._unsupported(kind.value)

    async def find_delivered(self, action: OutboundAction) -> OutboundResult | None:
        """Graph takes no idempotency key: look for the page's reply with the same text."""
        target = action.reply_context.get("reply_target") or action.target_external_id
        if action.kind is not OutboundKind.REPLY or not target:
            return None
        page = await self.graph.get_json(f"/{target}/comments", params={"fields": COMMENT_FIELDS})
        for reply in page.get("data") or []:
            if (reply.get("from") or {}).get("id") == self.config.page_id and reply.get("message") == action.text:
                return OutboundResult(external_id=reply["id"], raw=reply)
        return None

    # --- OAuth: Facebook Login for Business -------------------------------------------
    def authorize_url(self, state: str, redirect_uri: str, *, code_challenge: str | None = None) -> str:
        return oauth.dialog_url(self.base_url, app_id=self.config.app_id, redirect_uri=redirect_uri,
                                state=state, scopes=oauth.FACEBOOK_SCOPES)

    async def exchange_code(self, code: str, redirect_uri: str, *,
                            code_verifier: str | None = None) -> dict[str, Any]:
        """Code → long-lived user token → the chosen page's (non-expiring) page token."""
        _, pages = await oauth.managed_pages(self.graph, app_id=self.config.app_id,
                                             app_secret=self.config.app_secret.get_secret_value(),
                                             code=code, redirect_uri=redirect_uri)
        page = oauth.choose(pages, self.config.page_id, key="page")
        return {"page_id": str(page["id"]), "page_name": page.get("name"), "access_token": page["access_token"]}
