"""X (API v2): mentions, replies, quotes, DMs and keyword listening in; replies, DMs,
hide reply, delete and like out; Account Activity webhooks with CRC."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx

from henshin.connectors.base import Capability, ChallengeResponse, Connector, PollResult, TextLimits
from henshin.connectors.errors import MalformedPayload, PermanentError
from henshin.connectors.signing import require_match, x_signature
from henshin.connectors.types import (
    InboundEngagement,
    Network,
    OutboundAction,
    OutboundKind,
    OutboundResult,
)
from henshin.connectors.x import normalize
from henshin.connectors.x.client import XClient
from henshin.connectors.x.config import XConfig

TWEET_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics,lang"
USER_FIELDS = "username,name,profile_image_url,public_metrics,verified"
# Scopes per endpoint as X documents them: hide replies needs tweet.moderate.write.
OAUTH_SCOPES = ("tweet.read tweet.write tweet.moderate.write users.read dm.read dm.write like.write "
                "offline.access")


class XConnector(Connector):
    network: ClassVar[Network] = Network.X
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.POLL, Capability.BACKFILL, Capability.WEBHOOK, Capability.REPLY,
        Capability.DM, Capability.PRIVATE_REPLY, Capability.HIDE, Capability.UNHIDE,
        Capability.DELETE, Capability.LIKE, Capability.LISTENING, Capability.OAUTH,
    })
    text_limits: ClassVar[TextLimits] = TextLimits(max_length=280, counting="x_weighted",
                                                   dm_max_length=10000)
    config_model: ClassVar[type[XConfig]] = XConfig
    default_base_url: ClassVar[str] = "https://api.x.com"
    default_authorize_url: ClassVar[str] = "https://x.com/i/oauth2/authorize"
    config: XConfig

    def __init__(self, config: Any, *, base_url: str | None = None,
                 http: httpx.AsyncClient | None = None) -> None:
        super().__init__(config, base_url=base_url, http=http)
        self.client = XClient(self.base_url, self.config.access_token.get_secret_value(), http=http)

    def account_id(self) -> str | None:
        return self.config.user_id

    async def aclose(self) -> None:
        await self.client.aclose()

    # --- pull -----------------------------------------------------------------------
    async def poll(self, cursor: dict[str, Any] | None) -> PollResult:
        """Mentions (since_id), DMs (until the last seen event) and listening search."""
        cursor = dict(cursor or {})
        items: list[InboundEngagement] = []
        mentions, cursor["mentions_since_id"] = await self._timeline(
            f"/2/users/{self.config.user_id}/mentions", cursor.get("mentions_since_id"))
        items += mentions
        if self.config.listening_query:
            hits, cursor["search_since_id"] = await self._timeline(
                "/2/tweets/search/recent", cursor.get("search_since_id"),
                query=self.config.listening_query, listening=True)
            items += [h for h in hits if h.author.external_id != self.config.user_id]
        if self.config.poll_dms:
            dms, cursor["dm_seen_id"] = await self._dm_events(cursor.get("dm_seen_id"))
            items += dms
        return PollResult(items=items, cursor=cursor, rate_limit=self.client.rate_limit)

    async def _timeline(self, path: str, since_id: str | None, *, query: str | None = None,
                        listening: bool = False, start_time: datetime | None = None,
                        end_time: datetime | None = None) -> tuple[list[InboundEngagement], str | None]:
        params: dict[str, Any] = {"max_results": 100, "tweet.fields": TWEET_FIELDS,
                                  "user.fields": USER_FIELDS,
                                  "expansions": "author_id,referenced_tweets.id,referenced_tweets.id.author_id"}
        if query:
            params["query"] = query
        if since_id:
            params["since_id"] = since_id
        if start_time:
            params["start_time"] = start_time.isoformat().replace("+00:00", "Z")
        if end_time:
            params["end_time"] = end_time.isoformat().replace("+00:00", "Z")
        items: list[InboundEngagement] = []
        newest = since_id
        while True:
            page = await self.client.get_json(path, params=params)
            meta = page.get("meta") or {}
            if newest == since_id and meta.get("newest_id"):
                newest = meta["newest_id"]  # the first page holds the newest tweets
            items += normalize.v2_tweets(page, own_user_id=self.config.user_id, listening=listening)
            # First poll without since_id: start from now, do not walk the whole history.
            if not meta.get("next_token") or (since_id is None and start_time is None):
                break
            params["pagination_token"] = meta["next_token"]
        return items, newest

    async def _dm_events(self, seen_id: str | None) -> tuple[list[InboundEngagement], str | None]:
        params: dict[str, Any] = {"max_results": 100, "event_types": "MessageCreate",
                                  "dm_event.fields": "id,text,event_type,created_at,dm_conversation_id,sender_id",
                                  "expansions": "sender_id", "user.fields": USER_FIELDS}
        items: list[InboundEngagement] = []
        newest = seen_id
        while True:
            page = await self.client.get_json("/2/dm_events", params=params)
            batch = normalize.v2_dm_events(page, own_user_id=self.config.user_id)
            if newest == seen_id and page.get("data"):
                newest = str(page["data"][0]["id"])
            # Events come newest first; stop at the one the previous poll saw.
            fresh = [e for e in batch if seen_id is None or int(e.external_id) > int(seen_id)]
            items += fresh
            token = (page.get("meta") or {}).get("next_token")
            if not token or len(fresh) < len(batch) or seen_id is None:
                break
            params["pagination_token"] = token
        return items, newest

    async def backfill(self, since: datetime, until: datetime) -> list[InboundEngagement]:
        """Mentions created in [since, until) (the mentions timeline reaches 800 back)."""
        items, _ = await self._timeline(f"/2/users/{self.config.user_id}/mentions", None,
                                        start_time=since, end_time=until)
        return items

    # --- push -----------------------------------------------------------------------
    def _consumer_secret(self) -> str:
        if self.config.consumer_secret is None:
            raise PermanentError("X webhooks need the app's consumer secret in the channel settings")
        return self.config.consumer_secret.get_secret_value()

    def webhook_challenge(self, method: str, query: Mapping[str, str], headers: Mapping[str, str],
                          body: bytes) -> ChallengeResponse | None:
        """CRC: ``GET ?crc_token=…`` → ``{"response_token": "sha256=<base64 HMAC>"}``."""
        token = query.get("crc_token")
        if method.upper() != "GET" or not token:
            return None
        answer = {"response_token": x_signature(self._consumer_secret(), token.encode())}
        return ChallengeResponse(body=json.dumps(answer), media_type="application/json")

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        lowered = {k.lower(): v for k, v in headers.items()}
        require_match(x_signature(self._consumer_secret(), body),
                      lowered.get("x-twitter-webhooks-signature"), header="x-twitter-webhooks-signature")

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[InboundEngagement]:
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise MalformedPayload(f"X webhook body is not JSON: {exc}") from exc
        if not isinstance(payload, dict):
            raise MalformedPayload("X webhook body is not a JSON object")
        return normalize.activity_events(payload)

    # --- outbound ---------------------------------------------------------------------
    async def perform(self, action: OutboundAction) -> OutboundResult:
        kind = action.kind
        target = action.target_external_id
        if kind is OutboundKind.REPLY:
            data = await self.client.post_json("/2/tweets", json={
                "text": action.text, "reply": {"in_reply_to_tweet_id": self._need(target, "reply")}})
            tweet_id = data["data"]["id"]
            return OutboundResult(external_id=tweet_id, url=f"https://x.com/{self.config.username}/status/{tweet_id}", raw=data)
        if kind in (OutboundKind.DM, OutboundKind.PRIVATE_REPLY):
            participant = action.recipient_external_id or action.reply_context.get("participant_id")
            data = await self.client.post_json(
                f"/2/dm_conversations/with/{self._need(participant, 'DM')}/messages", json={"text": action.text})
            return OutboundResult(external_id=data["data"]["dm_event_id"], raw=data)
        if kind in (OutboundKind.HIDE, OutboundKind.UNHIDE):
            response = await self.client.request("PUT", f"/2/tweets/{self._need(target, 'hide')}/hidden",
                                                 json={"hidden": kind is OutboundKind.HIDE})
            return OutboundResult(external_id=target, raw=response.json())
        if kind is OutboundKind.DELETE:
            response = await self.client.request("DELETE", f"/2/tweets/{self._need(target, 'delete')}")
            return OutboundResult(external_id=target, raw=response.json())
        if kind is OutboundKind.LIKE:
            data = await self.client.post_json(f"/2/users/{self.config.user_id}/likes",
                                               json={"tweet_id": self._need(target, "like")})
            return OutboundResult(external_id=target, raw=data)
        raise self._unsupported(kind.value)

    @staticmethod
    def _need(value: str | None, what: str) -> str:
        if not value:
            raise PermanentError(f"X {what} needs the target post or user id")
        return value

    async def find_delivered(self, action: OutboundAction) -> OutboundResult | None:
        """X takes no idempotency key: look for our reply / DM with the same text."""
        if action.kind is OutboundKind.REPLY:
            page = await self.client.get_json(f"/2/users/{self.config.user_id}/tweets", params={
                "max_results": 100, "tweet.fields": "referenced_tweets,created_at"})
            for tweet in page.get("data") or []:
                refs = {r["type"]: r["id"] for r in tweet.get("referenced_tweets") or []}
                if refs.get("replied_to") == action.target_external_id and tweet["text"] == action.text:
                    return OutboundResult(external_id=tweet["id"], raw=tweet)
        if action.kind in (OutboundKind.DM, OutboundKind.PRIVATE_REPLY):
            participant = action.recipient_external_id or action.reply_context.get("participant_id")
            page = await self.client.get_json(f"/2/dm_conversations/with/{participant}/dm_events",
                                              params={"event_types": "MessageCreate"})
            for event in page.get("data") or []:
                if event.get("sender_id") == self.config.user_id and event.get("text") == action.text:
                    return OutboundResult(external_id=event["id"], raw=event)
        return None

    # --- OAuth 2.0 with PKCE ----------------------------------------------------------
    def authorize_url(self, state: str, redirect_uri: str, *, code_challenge: str | None = None) -> str:
        if not code_challenge or not self.config.client_id:
            raise PermanentError("X OAuth needs a client id and a PKCE code challenge")
        base = (self.default_authorize_url if self.base_url == self.default_base_url
                else f"{self.base_url}/i/oauth2/authorize")
        return base + "?" + urlencode({
            "response_type": "code", "client_id": self.config.client_id, "redirect_uri": redirect_uri,
            "scope": OAUTH_SCOPES, "state": state, "code_challenge": code_challenge,
            "code_challenge_method": "S256"})

    async def exchange_code(self, code: str, redirect_uri: str, *,
                            code_verifier: str | None = None) -> dict[str, Any]:
        form = {"code": code, "grant_type": "authorization_code", "client_id": self.config.client_id or "",
                "redirect_uri": redirect_uri, "code_verifier": code_verifier or ""}
        url = f"{self.base_url}/2/oauth2/token"
        if self.config.client_secret is not None:  # confidential clients use Basic auth
            auth = httpx.BasicAuth(self.config.client_id or "", self.config.client_secret.get_secret_value())
            response = await self.client.http.post(url, data=form, auth=auth)
        else:
            response = await self.client.http.post(url, data=form)
        error = self.client.map_error(response)
        if error is not None:
            raise error
        token = response.json()
        # Which account granted access: GET /2/users/me with the new user token.
        me = await self.client.http.get(f"{self.base_url}/2/users/me",
                                        headers={"Authorization": f"Bearer {token['access_token']}"})
        error = self.client.map_error(me)
        if error is not None:
            raise error
        user = me.json().get("data") or {}
        return {"access_token": token["access_token"], "refresh_token": token.get("refresh_token"),
                "expires_in": token.get("expires_in"), "scope": token.get("scope"),
                "user_id": user.get("id"), "username": user.get("username")}
