"""Event names (what listeners subscribe to) and ticket history types."""

from __future__ import annotations

from enum import StrEnum


class EventName(StrEnum):
    TICKET_CREATED = "ticket.created"
    TICKET_UPDATED = "ticket.updated"
    MESSAGE_RECEIVED = "message.received"  # an inbound engagement appended to a ticket
    REPLY_CREATED = "reply.created"
    OUTBOUND_CHANGED = "outbound.changed"
    ENGAGEMENT_RECEIVED = "engagement.received"
    PRESENCE_CHANGED = "presence.changed"
    CHANNEL_CHANGED = "channel.changed"
    SAVED_REPLY_CHANGED = "saved_reply.changed"  # created, updated or deleted
    ARTICLE_CHANGED = "article.changed"  # a knowledge-base article created, updated or deleted
    WORKSPACE_HOURS_CHANGED = "workspace.hours_changed"  # business hours set or cleared


class HistoryType(StrEnum):
    """Types of rows in a ticket's history (``ticket_events.type``): the source of reports."""

    CREATED = "created"
    MESSAGE = "message"  # inbound message appended
    GRATITUDE = "gratitude"  # thank-you after our reply on a closed ticket: no reopen
    REPLIED = "replied"
    NOTE = "note"
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    TAGGED = "tagged"
    UNTAGGED = "untagged"
    PRIORITY = "priority"
    READ = "read"
    SNOOZED = "snoozed"
    WOKE = "woke"
    CLOSED = "closed"
    REOPENED = "reopened"
    ESCALATED = "escalated"
    DEESCALATED = "deescalated"
    SPAM = "spam"
    SLA = "sla"
    RULE = "rule"
    CSAT = "csat"
    OUTBOUND = "outbound"
    GUARD_OVERRIDDEN = "guard_overridden"  # a blocking reply guard sent past, with a reason
    REPLY_UNDONE = "reply_undone"  # an agent undid a queued reply before it left
