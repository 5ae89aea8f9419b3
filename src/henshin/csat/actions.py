"""Sending a survey when a ticket closes, and taking the customer's one answer.

A survey is sent only when the workspace (or the channel, which overrides it) opts in,
the ticket was not spam, the customer has not asked brands not to contact them, and the
network lets us reach them privately. The link goes out as a durable outbound message by
the system actor, so it never counts as the team's response.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from henshin.csat import repository as repo
from henshin.events.bus import Actor
from henshin.events.names import HistoryType
from henshin.kit.errors import Conflict, InvalidInput, NotFound
from henshin.kit.secrets import token_digest
from henshin.kit.time import utc_now
from henshin.models import Channel, Contact, CsatSurvey, OutboundMessage, Ticket, Workspace
from henshin.models.outbound import DeliveryState
from henshin.tickets.history import record_change

DEFAULT_EXPIRY_DAYS = 7
MAX_COMMENT = 2000
# How each network lets us reach the customer privately after a public engagement.
PRIVATE_ROUTE = {"x": "dm", "line": "dm", "instagram": "private_reply", "facebook": "private_reply", "api": "dm"}
MESSAGES = {
    "ja": "お問い合わせありがとうございました。よろしければ、対応について1〜5でご評価ください（1分で終わります）: {link}",
    "en": "Thanks for reaching out. Could you rate our help from 1 to 5? It takes a minute: {link}",
}


def csat_settings(workspace: Workspace, channel: Channel) -> dict[str, Any]:
    """The workspace's ``settings["csat"]`` overlaid with the channel's."""
    merged = dict((workspace.settings or {}).get("csat") or {})
    merged.update((channel.settings or {}).get("csat") or {})
    return merged


def survey_language(ticket: Ticket, workspace: Workspace) -> str:
    """The customer's language when we know it (ja/en), else the workspace's."""
    lang = (ticket.language or "").split("-")[0]
    if lang in {"ja", "en"}:
        return lang
    return "ja" if (workspace.locale or "ja").startswith("ja") else "en"


def check_survey_wanted(ticket: Ticket, workspace: Workspace, channel: Channel,
                        contact: Contact | None) -> str | None:
    """The outbound kind to send the survey by, or None when no survey should go out."""
    if not csat_settings(workspace, channel).get("enabled"):
        return None
    if ticket.is_spam or contact is None or "do_not_contact" in (contact.labels or []):
        return None
    if ticket.kind == "dm":
        return "dm"
    return PRIVATE_ROUTE.get(channel.network)


def do_send_survey(db: Session, ticket: Ticket, *, base_url: str) -> CsatSurvey | None:
    """Create the ticket's survey and queue its link to the customer (once per ticket)."""
    if repo.survey_of_ticket(db, ticket.id) is not None:
        return None
    workspace, channel, contact = repo.ticket_context(db, ticket)
    kind = check_survey_wanted(ticket, workspace, channel, contact)
    if kind is None or contact is None:
        return None
    token = secrets.token_urlsafe(32)
    lang = survey_language(ticket, workspace)
    days = int(csat_settings(workspace, channel).get("expires_days", DEFAULT_EXPIRY_DAYS))
    now = utc_now()
    survey = CsatSurvey(
        workspace_id=ticket.workspace_id, ticket_id=ticket.id, agent_id=ticket.closed_by or ticket.first_response_by,
        token_digest=token_digest(token), language=lang, sent_at=now, expires_at=now + timedelta(days=days),
    )
    db.add(survey)
    db.flush()
    link = f"{base_url.rstrip('/')}/csat/{token}"
    target = contact.external_id if kind == "dm" else repo.last_inbound_external_id(db, ticket.id)
    message = OutboundMessage(
        workspace_id=ticket.workspace_id, ticket_id=ticket.id, channel_id=ticket.channel_id, kind=kind,
        visibility="private", text=MESSAGES[lang].format(link=link), target_external_id=target,
        actor_type="system", actor_id=None, idempotency_key=f"csat-{ticket.id}",
        state=DeliveryState.QUEUED.value, next_attempt_at=now, created_at=now,
        extra={"csat_survey_id": survey.id},
    )
    db.add(message)
    db.flush()
    survey.outbound_id = message.id
    record_change(db, ticket, HistoryType.CSAT, Actor.system("csat"),
                  {"state": "sent", "survey_id": survey.id, "outbound_id": message.id}, at=now)
    return survey


def check_answer(score: object, comment: object) -> tuple[int, str | None]:
    """A score 1–5 and an optional comment, or InvalidInput saying what is wrong."""
    try:
        value = int(str(score))
    except ValueError:
        raise InvalidInput("choose a score from 1 to 5") from None
    if not 1 <= value <= 5:
        raise InvalidInput("choose a score from 1 to 5")
    text = str(comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"the comment is longer than {MAX_COMMENT} characters")
    return value, text or None


def survey_for_token(db: Session, token: str) -> CsatSurvey:
    """The survey a link points to, or NotFound (a guessed or mistyped link)."""
    survey = repo.survey_by_digest(db, token_digest(token)) if 20 <= len(token) <= 100 else None
    if survey is None:
        raise NotFound("this survey link is not valid")
    return survey


def do_answer(db: Session, survey: CsatSurvey, *, score: int, comment: str | None) -> None:
    """Store the one answer (Conflict when already answered or expired) and record it."""
    now = utc_now()
    if survey.responded_at is not None:
        raise Conflict("this survey has already been answered")
    if survey.expires_at <= now:
        raise Conflict("this survey has expired")
    if not repo.record_answer(db, survey.id, score, comment, now):
        raise Conflict("this survey has already been answered")
    ticket = db.get(Ticket, survey.ticket_id)
    assert ticket is not None
    record_change(db, ticket, HistoryType.CSAT, Actor.customer(ticket.contact_id),
                  {"state": "answered", "survey_id": survey.id, "score": score, "agent_id": survey.agent_id},
                  at=now)
