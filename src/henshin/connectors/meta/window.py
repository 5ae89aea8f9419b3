"""Meta's standard messaging window: a business may message a person for 24 hours after
that person's last message. Outside it, Messenger / Instagram refuse the message (error
code 10, subcode 2018278); only the human-agent tag (7 days, app review needed) extends it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


class WindowState(BaseModel):
    """Whether a DM can be sent now, until when, and a sentence the composer can show."""

    open: bool
    closes_at: datetime | None
    human_agent_open: bool
    explanation: str


def messaging_window(last_customer_message_at: datetime | None, now: datetime) -> WindowState:
    """The 24-hour window state for a conversation whose customer last wrote at the given time."""
    if last_customer_message_at is None:
        return WindowState(open=False, closes_at=None, human_agent_open=False, explanation=(
            "The customer has never messaged this page, so Meta only allows a private reply "
            "to one of their comments, not a direct message."))
    closes_at = last_customer_message_at + STANDARD_WINDOW
    human_open = now < last_customer_message_at + HUMAN_AGENT_WINDOW
    if now < closes_at:
        hours = (closes_at - now).total_seconds() / 3600
        return WindowState(open=True, closes_at=closes_at, human_agent_open=human_open,
                           explanation=f"Messaging window open for {hours:.1f} more hours.")
    return WindowState(open=False, closes_at=closes_at, human_agent_open=human_open, explanation=(
        "Meta's 24-hour messaging window closed at "
        f"{closes_at.isoformat(timespec='minutes')}: a page may only message a person within 24 hours "
        "of that person's last message. Wait for the customer to write again, or answer publicly "
        "without personal details."
        + (" (A human-agent tagged message is possible up to 7 days, if the app is approved for it.)"
           if human_open else "")))
