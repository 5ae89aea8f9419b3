"""Instagram (Graph API + Instagram messaging): comments, replies, @mentions, story
mentions and DMs in; public reply, private reply, DM, hide/unhide, delete out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import httpx

from henshin.connectors.base import Capability, ChallengeResponse, Connector, PollResult, TextLimits
from henshin.connectors.instagram import normalize
from henshin.connectors.instagram.client import GRAPH_BASE_URL, InstagramClient
from henshin.connectors.instagram.config import InstagramConfig
from henshin.connectors.meta import oauth, webhooks
from henshin.connectors.meta.outbound import delete_object, need, send_message
from henshin.connectors.types import (
    InboundEngagement,
    Network,
    OutboundAction,
    OutboundKind,
    OutboundResult,
)

COMMENT_FIELDS = "id,text,timestamp,username,from,parent_id,like_count"


class InstagramConnector(Connector):
    network: ClassVar[Network] = Network.INSTAGRAM
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.POLL, Capability.BACKFILL, Capability.WEBHOOK, Capability.REPLY,
        Capability.PRIVATE_REPLY, Capability.DM, Capability.HIDE, Capability.UNHIDE, Capability.DELETE,
        Capability.OAUTH,
    })
    # Comments: 2,200 characters. DMs: Meta's Send API page says "UTF-8 and 1000 bytes or
    # less" (its limitations list says "less than 1000 characters"); bytes is the binding one,
    # about 333 Japanese characters.
    text_limits: ClassVar[TextLimits] = TextLimits(max_length=2200, counting="characters", dm_max_length=1000,
                                                   dm_counting="utf8_bytes")
    config_model: ClassVar[type[InstagramConfig]] = InstagramConfig
    default_base_url: ClassVar[str] = GRAPH_BASE_URL
    config: InstagramConfig

    def __init__(self, config: Any, *, base_url: str | None = None,
                 http: httpx.AsyncClient | None = None) -> None:
        super().__init__(config, base_url=base_url, http=http)
        self.graph = InstagramClient(self.base_url, self.config.access_token.get_secret_value(), http=http)

    def account_id(self) -> str | None:
        return self.config.ig_user_id

    async def aclose(self) -> None:
        await self.graph.aclose()

    async def _comments(self, since: datetime | None, until: datetime | None) -> list[InboundEngagement]:
        own, username = self.config.ig_user_id, self.config.username
        items: list[InboundEngagement] = []
        media_page = await self.graph.get_json(f"/{own}/media", params={
            "fields": "id,caption,permalink,timestamp", "limit": self.config.media_to_watch})
        for media in media_page.get("data") or []:
            async for page in self.graph.pages(f"/{media['id']}/comments",
                                               {"fields": COMMENT_FIELDS + ",replies{" + COMMENT_FIELDS + "}"}):
                for data in page.get("data") or []:
                    for raw in [data, *((data.get("replies") or {}).get("data") or [])]:
                        if raw is not data:
                            raw = {**raw, "parent_id": data["id"]}
                        item = normalize.comment(raw, own_id=own, own_username=username, media=media)
                        if (since is None or item.created_at > since) and (until is None or item.created_at < until):
                            items.append(item)
        return items

    async def poll(self, cursor: dict[str, Any] | None) -> PollResult:
        """Comments and replies on recent media newer than the cursor's ``comments_since``.

        DMs and story mentions arrive only by webhook (Meta offers no messaging poll for
        new conversations that scales); mentions arrive by webhook and are hydrated here.
        """
        cursor = dict(cursor or {})
        since = datetime.fromisoformat(cursor["comments_since"]) if cursor.get("comments_since") else None
        items = await self._comments(since, None)
        if items:
            cursor["comments_since"] = max(i.created_at for i in items).isoformat()
        elif since is None:
            cursor["comments_since"] = None
        return PollResult(items=items, cursor=cursor, rate_limit=self.graph.rate_limit)

    async def backfill(self, since: datetime, until: datetime) -> list[InboundEngagement]:
        return await self._comments(since, until)

    def webhook_challenge(self, method: str, query: Mapping[str, str], headers: Mapping[str, str],
                          body: bytes) -> ChallengeResponse | None:
        return webhooks.challenge(method, query, self.config.verify_token.get_secret_value())

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        webhooks.verify(headers, body, self.config.app_secret.get_secret_value())

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[InboundEngagement]:
        items: list[InboundEngagement] = []
        for entry in webhooks.entries(body, "instagram"):
            items += normalize.webhook_entry(entry, own_id=self.config.ig_user_id,
                                             own_username=self.config.username)
        return items

    async def perform(self, action: OutboundAction, *, now: datetime | None = None) -> OutboundResult:
        """Do ``action``; a DM outside the messaging window or a private reply after 7 days
        raises ``PermanentError`` explaining why."""
        kind, target = action.kind, action.target_external_id
        if kind is OutboundKind.REPLY:
            data = await self.graph.post_json(f"/{need(target, 'reply')}/replies", params={"message": action.text})
            return OutboundResult(external_id=data.get("id"), raw=data)
        if kind in (OutboundKind.PRIVATE_REPLY, OutboundKind.DM):
            # Instagram API with Facebook Login: the Send API is the linked page's
            # (POST /me/messages with the page token), not the IG user's node.
            return await send_message(self.graph, "me", action, private_reply=kind is OutboundKind.PRIVATE_REPLY,
                                      now=now, human_agent=self.config.human_agent_tag)
        if kind in (OutboundKind.HIDE, OutboundKind.UNHIDE):
            data = await self.graph.post_json(f"/{need(target, 'hide')}", params={
                "hide": "true" if kind is OutboundKind.HIDE else "false"})
            return OutboundResult(external_id=target, raw=data)
        if kind is OutboundKind.DELETE:
            return await delete_object(self.graph, need(target, "delete"))
        raise self._unsupported(kind.value)

    async def find_delivered(self, action: OutboundAction) -> OutboundResult | None:
        """Graph takes no idempotency key: look for our reply with the same text."""
        if action.kind is not OutboundKind.REPLY or not action.target_external_id:
            return None
        page = await self.graph.get_json(f"/{action.target_external_id}/replies",
                                         params={"fields": COMMENT_FIELDS})
        for reply in page.get("data") or []:
            if reply.get("username") == self.config.username and reply.get("text") == action.text:
                return OutboundResult(external_id=reply["id"], raw=reply)
        return None

    # --- OAuth: Facebook Login for Business (Instagram API with Facebook Login) -------
    def authorize_url(self, state: str, redirect_uri: str, *, code_challenge: str | None = None) -> str:
        return oauth.dialog_url(self.base_url, app_id=self.config.app_id, redirect_uri=redirect_uri,
                                state=state, scopes=oauth.INSTAGRAM_SCOPES)

    async def exchange_code(self, code: str, redirect_uri: str, *,
                            code_verifier: str | None = None) -> dict[str, Any]:
        """Code → long-lived user token → the page linked to the Instagram account, whose
        page token calls the Instagram Graph API."""
        _, pages = await oauth.managed_pages(self.graph, app_id=self.config.app_id,
                                             app_secret=self.config.app_secret.get_secret_value(),
                                             code=code, redirect_uri=redirect_uri)
        page = oauth.choose(pages, self.config.ig_user_id, key="instagram")
        account = page["instagram_business_account"]
        return {"ig_user_id": str(account["id"]), "username": account.get("username") or self.config.username,
                "access_token": page["access_token"]}
