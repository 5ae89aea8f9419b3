"""Outbound calls Facebook Pages and Instagram share (Send API, comment moderation)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from henshin.connectors.errors import PermanentError
from henshin.connectors.meta.graph import GraphClient
from henshin.connectors.meta.window import messaging_window
from henshin.connectors.types import OutboundAction, OutboundResult


def need(value: str | None, what: str) -> str:
    """``value`` or a PermanentError saying what the action lacks."""
    if not value:
        raise PermanentError(f"{what} needs the target id")
    return value


async def send_message(graph: GraphClient, sender_id: str, action: OutboundAction, *,
                       private_reply: bool, now: datetime | None = None) -> OutboundResult:
    """Send API: a private reply to a comment, or a DM inside the 24-hour window."""
    if private_reply:
        recipient: dict[str, str] = {"comment_id": need(action.target_external_id, "private reply")}
        body: dict[str, Any] = {"recipient": recipient, "message": {"text": action.text}}
    else:
        last = action.reply_context.get("last_customer_message_at")
        last_at = datetime.fromisoformat(last) if last else None
        window = messaging_window(last_at, now or datetime.now(UTC))
        if not window.open:
            raise PermanentError(window.explanation, network_message=window.explanation)
        recipient_id = action.recipient_external_id or action.reply_context.get("recipient_id") or action.thread_id
        body = {"recipient": {"id": need(recipient_id, "DM")}, "messaging_type": "RESPONSE",
                "message": {"text": action.text}}
    data = await graph.post_json(f"/{sender_id}/messages", json=body)
    return OutboundResult(external_id=data.get("message_id"), raw=data)


async def delete_object(graph: GraphClient, object_id: str) -> OutboundResult:
    """DELETE a comment we may remove (ours, or on our media)."""
    data = (await graph.request("DELETE", f"/{object_id}")).json()
    return OutboundResult(external_id=object_id, raw=data)
