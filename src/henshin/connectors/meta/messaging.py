"""Messenger-platform ``messaging`` events (Facebook Messenger and Instagram messaging)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from henshin.connectors.errors import MalformedPayload
from henshin.connectors.types import (
    Author,
    Direction,
    EngagementKind,
    InboundEngagement,
    Media,
    Network,
)


def messaging_events(entry: dict[str, Any], network: Network) -> list[InboundEngagement]:
    """DMs and story mentions in one entry's ``messaging`` list (reads, reactions skipped)."""
    items = []
    own = str(entry.get("id"))
    for event in entry.get("messaging") or []:
        message = event.get("message")
        if not message:
            continue  # read receipts, reactions, postbacks: no customer text
        try:
            sender = str(event["sender"]["id"])
            recipient = str(event["recipient"]["id"])
            echo = bool(message.get("is_echo")) or sender == own
            customer = recipient if echo else sender
            attachments = message.get("attachments") or []
            story = any(a.get("type") == "story_mention" for a in attachments)
            items.append(InboundEngagement(
                external_id=message["mid"],
                kind=EngagementKind.STORY_MENTION if story else EngagementKind.DM,
                network=network, direction=Direction.OUTBOUND if echo else Direction.INBOUND,
                thread_id=customer, author=Author(external_id=sender), text=message.get("text", ""),
                media=[Media(type="story" if a.get("type") == "story_mention" else a.get("type", "file"),
                             url=(a.get("payload") or {}).get("url")) for a in attachments],
                created_at=datetime.fromtimestamp(int(event["timestamp"]) / 1000, tz=UTC),
                reply_context={"recipient_id": customer,
                               "last_customer_message_at": None if echo else
                               datetime.fromtimestamp(int(event["timestamp"]) / 1000, tz=UTC).isoformat()},
                raw=dict(event),
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedPayload(f"{network.value} messaging event missing {exc}") from exc
    return items
