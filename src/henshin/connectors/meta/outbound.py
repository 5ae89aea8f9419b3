"""Outbound calls Facebook Pages and Instagram share (Send API, comment moderation).

Facts from Meta's Messenger Platform docs: a page may message a person within 24 hours of
that person's last message (``messaging_type: RESPONSE``); a human agent may answer up to
7 days after it with ``messaging_type: MESSAGE_TAG`` + ``tag: HUMAN_AGENT`` (the app needs
the Human Agent permission); a private reply (``recipient: {comment_id}``) is one message to
a commenter, allowed within 7 days of the comment's creation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from henshin.connectors.errors import PermanentError
from henshin.connectors.meta.graph import GraphClient
from henshin.connectors.meta.window import messaging_window
from henshin.connectors.types import OutboundAction, OutboundResult

PRIVATE_REPLY_WINDOW = timedelta(days=7)


def need(value: str | None, what: str) -> str:
    """``value`` or a PermanentError saying what the action lacks."""
    if not value:
        raise PermanentError(f"{what} needs the target id")
    return value


def _private_reply_body(action: OutboundAction, now: datetime) -> dict[str, Any]:
    commented = action.reply_context.get("commented_at")
    if commented and now >= datetime.fromisoformat(commented) + PRIVATE_REPLY_WINDOW:
        closed = (datetime.fromisoformat(commented) + PRIVATE_REPLY_WINDOW).isoformat(timespec="minutes")
        explanation = (f"Meta allows a private reply only within 7 days of the comment; that closed at {closed}. "
                       "Answer publicly, or wait for the customer to message the account.")
        raise PermanentError(explanation, network_message=explanation)
    return {"recipient": {"comment_id": need(action.target_external_id, "private reply")},
            "message": {"text": action.text}}


def _dm_body(action: OutboundAction, now: datetime, *, human_agent: bool) -> dict[str, Any]:
    last = action.reply_context.get("last_customer_message_at")
    window = messaging_window(datetime.fromisoformat(last) if last else None, now)
    recipient_id = action.recipient_external_id or action.reply_context.get("recipient_id") or action.thread_id
    body: dict[str, Any] = {"recipient": {"id": need(recipient_id, "DM")}, "message": {"text": action.text}}
    if window.open:
        return {**body, "messaging_type": "RESPONSE"}
    if human_agent and window.human_agent_open:
        return {**body, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    raise PermanentError(window.explanation, network_message=window.explanation)


async def send_message(graph: GraphClient, sender: str, action: OutboundAction, *, private_reply: bool,
                       now: datetime | None = None, human_agent: bool = False) -> OutboundResult:
    """Send API (``POST /{sender}/messages``, ``sender`` = the page id, or ``me`` with a
    page token): a private reply to a comment, or a DM inside the messaging window."""
    now = now or datetime.now(UTC)
    body = _private_reply_body(action, now) if private_reply else _dm_body(action, now, human_agent=human_agent)
    data = await graph.post_json(f"/{sender}/messages", json=body)
    return OutboundResult(external_id=data.get("message_id"), raw=data)


async def delete_object(graph: GraphClient, object_id: str) -> OutboundResult:
    """DELETE a comment we may remove (ours, or on our media)."""
    data = (await graph.request("DELETE", f"/{object_id}")).json()
    return OutboundResult(external_id=object_id, raw=data)
