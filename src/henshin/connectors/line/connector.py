"""LINE Messaging API: message, follow, unfollow and postback webhooks in; reply with the
reply token while valid, else push (with ``X-Line-Retry-Key``); profile lookup."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx
import orjson

from henshin.connectors.base import Capability, Connector, TextLimits
from henshin.connectors.errors import MalformedPayload, PermanentError
from henshin.connectors.line.client import LineClient
from henshin.connectors.line.config import LineConfig
from henshin.connectors.signing import line_signature, require_match
from henshin.connectors.types import (
    Author,
    EngagementKind,
    InboundEngagement,
    Media,
    Network,
    OutboundAction,
    OutboundKind,
    OutboundResult,
)

KNOWN_EVENTS = frozenset({"message", "follow", "unfollow", "postback", "join", "leave", "memberJoined",
                          "memberLeft", "unsend", "videoPlayComplete", "beacon", "accountLink",
                          "things", "membership"})
UNSURE_REPLY = ("An earlier attempt used this conversation's LINE reply token and may already have been "
                "delivered; henshin does not push it again so the customer never gets it twice. "
                "Check the chat in LINE and send it again if it is missing.")
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1d3c52-6e0b-4d7e-9a31-3c1f7d6a0b11")


class LineConnector(Connector):
    network: ClassVar[Network] = Network.LINE
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.WEBHOOK, Capability.DM, Capability.REPLY, Capability.PROFILE})
    text_limits: ClassVar[TextLimits] = TextLimits(max_length=5000, counting="utf16", dm_max_length=5000)
    config_model: ClassVar[type[LineConfig]] = LineConfig
    default_base_url: ClassVar[str] = "https://api.line.me"
    config: LineConfig

    def __init__(self, config: Any, *, base_url: str | None = None,
                 http: httpx.AsyncClient | None = None) -> None:
        super().__init__(config, base_url=base_url, http=http)
        self.client = LineClient(self.base_url, self.config.channel_access_token.get_secret_value(), http=http)

    def account_id(self) -> str | None:
        return self.config.bot_user_id or self.config.channel_id

    async def aclose(self) -> None:
        await self.client.aclose()

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        lowered = {k.lower(): v for k, v in headers.items()}
        require_match(line_signature(self.config.channel_secret.get_secret_value(), body),
                      lowered.get("x-line-signature"), header="x-line-signature")

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[InboundEngagement]:
        """Messages, follows and postbacks become DM engagements; unfollows/joins carry none."""
        try:
            payload = orjson.loads(body)  # a third of json.loads's time on every push
            events = payload["events"]
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedPayload(f"LINE webhook body is not {{destination, events}}: {exc}") from exc
        items = []
        for event in events:
            kind = event.get("type")
            if kind not in KNOWN_EVENTS:
                raise MalformedPayload(f"LINE webhook event type {kind!r} is not handled by henshin")
            if kind not in ("message", "follow", "postback"):
                continue  # unfollow / group membership: nothing to answer (the contact layer may note it)
            try:
                items.append(self._event(event))
            except (KeyError, TypeError, ValueError) as exc:
                raise MalformedPayload(f"LINE {kind} event missing {exc}") from exc
        return items

    def _event(self, event: dict[str, Any]) -> InboundEngagement:
        source = event["source"]
        user_id = source.get("userId") or source.get("groupId") or source["roomId"]
        thread = source.get("groupId") or source.get("roomId") or user_id
        created = datetime.fromtimestamp(int(event["timestamp"]) / 1000, tz=UTC)
        text, media, external_id = "", [], event.get("webhookEventId") or f"{thread}:{event['timestamp']}"
        if event["type"] == "message":
            message = event["message"]
            external_id = str(message["id"])
            text = message.get("text", "")
            if message["type"] != "text":
                media = [Media(type=message["type"] if message["type"] in ("image", "video", "audio", "file",
                                                                            "sticker") else "file")]
        elif event["type"] == "postback":
            text = event["postback"].get("data", "")
        return InboundEngagement(
            external_id=external_id, kind=EngagementKind.DM, network=Network.LINE, thread_id=thread,
            author=Author(external_id=user_id), text=text, media=media, created_at=created,
            reply_context={"reply_token": event.get("replyToken"), "to": thread, "event": event["type"],
                           "received_at": created.isoformat()},
            raw=dict(event),
        )

    def reply_token_valid(self, reply_context: Mapping[str, Any], now: datetime) -> bool:
        """A reply token is single-use and short-lived: trust it for ``reply_token_ttl_seconds``."""
        token, received = reply_context.get("reply_token"), reply_context.get("received_at")
        if not token or not received or reply_context.get("reply_token_used"):
            return False
        age = now - datetime.fromisoformat(received)
        return age < timedelta(seconds=self.config.reply_token_ttl_seconds)

    async def perform(self, action: OutboundAction, *, now: datetime | None = None) -> OutboundResult:
        """Reply with the token while valid (free), else push with an idempotent retry key."""
        if action.kind not in (OutboundKind.DM, OutboundKind.REPLY, OutboundKind.PRIVATE_REPLY):
            raise self._unsupported(action.kind.value)
        messages = [{"type": "text", "text": action.text}]
        now = now or datetime.now(UTC)
        # An earlier attempt (before a crash) already spent the reply token: LINE takes no
        # retry key on replies, so "invalid reply token" now may mean it was delivered.
        attempted = bool(action.reply_context.get("reply_token_attempted"))
        if self.reply_token_valid(action.reply_context, now):
            try:
                data = await self.client.post_json("/v2/bot/message/reply", json={
                    "replyToken": action.reply_context["reply_token"], "messages": messages})
                return OutboundResult(external_id=_sent_id(data), raw={**data, "via": "reply"})
            except PermanentError as exc:
                if "reply token" not in exc.network_message.lower():
                    raise  # only an expired/used token falls back to push
                if attempted:
                    raise PermanentError(UNSURE_REPLY, network_message=UNSURE_REPLY) from exc
        elif attempted:
            raise PermanentError(UNSURE_REPLY, network_message=UNSURE_REPLY)
        to = action.recipient_external_id or action.reply_context.get("to") or action.thread_id
        if not to:
            raise PermanentError("LINE push needs the user, group or room id")
        retry_key = str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, action.idempotency_key))
        response = await self.client.request("POST", "/v2/bot/message/push",
                                             json={"to": to, "messages": messages},
                                             headers={"X-Line-Retry-Key": retry_key})
        data = response.json() if response.content else {}
        accepted = response.headers.get("x-line-accepted-request-id")
        return OutboundResult(external_id=_sent_id(data) or accepted or response.headers.get("x-line-request-id"),
                              raw={**data, "via": "push", "retry_key": retry_key,
                                   "already_accepted": response.status_code == 409})

    async def fetch_profile(self, external_id: str) -> Author:
        """``GET /v2/bot/profile/{userId}`` (only users who added the account as a friend)."""
        data = await self.client.get_json(f"/v2/bot/profile/{external_id}")
        return Author(external_id=data["userId"], display_name=data.get("displayName"),
                      avatar_url=data.get("pictureUrl"), language=data.get("language"))


def _sent_id(data: Mapping[str, Any]) -> str | None:
    sent = data.get("sentMessages") or []
    return str(sent[0]["id"]) if sent else None
