"""Building a `RuleSubject` from stored rows: engagement, ticket, analysis, contact, hours."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from henshin.kit.time import as_utc
from henshin.models import Contact, Engagement, Ticket, Workspace
from henshin.routing.hours import WeeklySchedule
from henshin.rules.subject import RuleSubject

URGENCY_LEVELS = {"normal": 0, "high": 2, "L3": 3}


@lru_cache(maxsize=512)
def _schedule(text: str) -> WeeklySchedule | None:
    try:
        return WeeklySchedule.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError):
        return None


def business_schedule(workspace: Workspace | None) -> WeeklySchedule | None:
    """The workspace's business hours (None when it has none or they do not parse)."""
    if workspace is None or not workspace.business_hours:
        return None
    return _schedule(json.dumps(workspace.business_hours, sort_keys=True))


def build_subject(
    *,
    ticket: Ticket,
    engagement: Engagement | None,
    contact: Contact | None,
    tags: set[str],
    workspace: Workspace | None,
    now: datetime,
) -> RuleSubject:
    """What the rules see of ``ticket`` (and the engagement that triggered them) at ``now``."""
    analysis: dict[str, Any] = (engagement.analysis if engagement is not None else None) or {}
    sentiment = analysis.get("sentiment") or {}
    spam = analysis.get("spam") or {}
    urgency = (analysis.get("urgency") or {}).get("level", "normal")
    schedule = business_schedule(workspace)
    source = engagement
    return RuleSubject(
        network=source.network if source is not None else ticket.network,
        kind=source.kind if source is not None else ticket.kind,
        text=source.text if source is not None else ticket.subject,
        now=now,
        created_at=as_utc(ticket.created_at),
        channel_id=str(ticket.channel_id),
        language=analysis.get("language") or (source.language if source else None) or ticket.language,
        sentiment_label=sentiment.get("label") or (source.sentiment_label if source else ticket.sentiment_label),
        sentiment_score=sentiment.get("score", source.sentiment_score if source else ticket.sentiment_score),
        intents=frozenset(analysis.get("intents") or ()),
        urgency_level=URGENCY_LEVELS.get(str(urgency), 0),
        spam_score=spam.get("score"),
        is_spam=bool(spam.get("is_spam", source.is_spam if source else ticket.is_spam)),
        author_followers=contact.followers if contact is not None else None,
        author_verified=bool(contact.verified) if contact is not None else False,
        contact_labels=frozenset(contact.labels or ()) if contact is not None else frozenset(),
        past_ticket_count=max((contact.ticket_count if contact is not None else 1) - 1, 0),
        tags=frozenset(tags),
        priority=ticket.priority,
        status=ticket.status,
        assignee_user_id=ticket.assignee_user_id,
        assignee_team_id=ticket.assignee_team_id,
        escalation_level=ticket.escalation_level,
        last_customer_message_at=as_utc(ticket.last_inbound_at) if ticket.last_inbound_at else None,
        in_business_hours=schedule.is_open(now) if schedule is not None else True,
    )
