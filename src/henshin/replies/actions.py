"""Writes of the replying module: saved replies, drafts, guarded sending, undo, settings.

``check_*`` validates, ``do_*`` writes and records history; nothing here commits.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from henshin.events.bus import Actor, ActorType, Event, publish
from henshin.events.names import EventName, HistoryType
from henshin.kit.errors import Conflict, Forbidden, InvalidInput
from henshin.kit.secrets import secret_box
from henshin.kit.tags import check_tags
from henshin.kit.time import utc_now
from henshin.models import Draft, GuardOverride, OutboundMessage, SavedReply, Ticket, Workspace
from henshin.models.ticket import TicketStatus
from henshin.models.workspace import Role
from henshin.replies import repository as repo
from henshin.replies.composer import ComposeCheck, ComposeContext, check
from henshin.replies.guards import GuardFinding
from henshin.replies.schemas import ComposerSettingsIn, SavedReplyIn, SavedReplyUpdate
from henshin.replies.templates import Rendered, TemplateSyntaxError, check_template, render
from henshin.tickets import actions as ticket_actions
from henshin.tickets.history import record_change
from henshin.understand.normalize import fold

SHORTCUT = re.compile(r"^/?[^\s/]{1,63}$")


def search_text_of(row: SavedReply) -> str:
    """The folded form a saved reply is searched on."""
    parts = [row.title, row.body, " ".join(f"#{t}" for t in row.tags or []), row.shortcut or ""]
    return "\n".join(fold(p) for p in parts)


def check_body(body: str) -> str:
    """A template whose braces are balanced and whose variables henshin knows."""
    body = body.strip()
    if not body:
        raise InvalidInput("a saved reply cannot be empty")
    try:
        unknown = check_template(body)
    except TemplateSyntaxError as error:
        raise InvalidInput(f"template error: {error}", details={"position": error.position}) from error
    if unknown:
        raise InvalidInput(
            f"unknown variables: {', '.join('{' + u + '}' for u in unknown)}",
            details={"unknown": unknown},
        )
    return body


def check_shortcut(db: Session, workspace_id: int, shortcut: str | None, owner: int | None,
                   exclude_id: int | None = None) -> str | None:
    """``/delay`` style shortcuts: no spaces, unique among the replies the same people see."""
    if shortcut is None or not shortcut.strip():
        return None
    value = shortcut.strip()
    if not SHORTCUT.match(value):
        raise InvalidInput(f"shortcut {shortcut!r} must be one word of at most 63 characters")
    value = value if value.startswith("/") else f"/{value}"
    if repo.shortcut_taken(db, workspace_id, value, owner, exclude_id):
        raise Conflict(f"the shortcut {value} is already used by another saved reply")
    return value


def check_may_edit(row: SavedReply, actor_id: int, role: Role) -> None:
    """Shared replies are edited by supervisors and admins; personal ones by their owner."""
    if row.owner_user_id is None:
        if role.rank < Role.SUPERVISOR.rank:
            raise Forbidden("shared saved replies are edited by supervisors and admins")
    elif row.owner_user_id != actor_id:
        raise Forbidden("this personal saved reply belongs to another agent")


def do_create_saved_reply(
    db: Session, *, workspace_id: int, actor: Actor, role: Role, data: SavedReplyIn
) -> SavedReply:
    """Create a shared (supervisor+) or personal saved reply."""
    assert actor.id is not None
    owner = None if data.shared else actor.id
    if owner is None and role.rank < Role.SUPERVISOR.rank:
        raise Forbidden("shared saved replies are created by supervisors and admins; "
                        "send shared: false for a personal one")
    now = utc_now()
    row = SavedReply(
        workspace_id=workspace_id,
        owner_user_id=owner,
        title=data.title.strip(),
        body=check_body(data.body),
        shortcut=check_shortcut(db, workspace_id, data.shortcut, owner),
        language=(data.language or "").strip().lower() or None,
        network=(data.network or "").strip().lower() or None,
        tags=check_tags(data.tags),
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    if not row.title:
        raise InvalidInput("a saved reply needs a title")
    row.search_text = search_text_of(row)
    db.add(row)
    db.flush()
    _publish_change(db, row, actor, "created")
    return row


def do_update_saved_reply(
    db: Session, row: SavedReply, *, actor: Actor, role: Role, data: SavedReplyUpdate
) -> SavedReply:
    """Change the fields given in ``data`` (explicit nulls clear language/network/shortcut)."""
    assert actor.id is not None
    check_may_edit(row, actor.id, role)
    given = data.model_fields_set
    if data.title is not None:
        row.title = data.title.strip() or row.title
    if data.body is not None:
        row.body = check_body(data.body)
    if "shortcut" in given:
        row.shortcut = check_shortcut(db, row.workspace_id, data.shortcut, row.owner_user_id, row.id)
    if "language" in given:
        row.language = (data.language or "").strip().lower() or None
    if "network" in given:
        row.network = (data.network or "").strip().lower() or None
    if data.tags is not None:
        row.tags = check_tags(data.tags)
    row.search_text = search_text_of(row)
    row.updated_at = utc_now()
    db.flush()
    _publish_change(db, row, actor, "updated")
    return row


def do_delete_saved_reply(db: Session, row: SavedReply, *, actor: Actor, role: Role) -> None:
    """Delete a saved reply (the owner, or a supervisor for shared ones)."""
    assert actor.id is not None
    check_may_edit(row, actor.id, role)
    _publish_change(db, row, actor, "deleted")
    db.delete(row)
    db.flush()


def do_apply_saved_reply(
    db: Session, row: SavedReply, *, variables: dict[str, str]
) -> Rendered:
    """Fill a saved reply's variables for the composer and count the use."""
    try:
        rendered = render(row.body, variables)
    except TemplateSyntaxError as error:  # stored before validation existed
        raise InvalidInput(f"template error: {error}") from error
    repo.increment_usage(db, row.id, utc_now())
    db.refresh(row)
    return rendered


def _publish_change(db: Session, row: SavedReply, actor: Actor, change: str) -> None:
    publish(
        db,
        Event(
            name=EventName.SAVED_REPLY_CHANGED,
            workspace_id=row.workspace_id,
            actor=actor,
            payload={"saved_reply_id": row.id, "change": change},
        ),
    )


def do_save_draft(
    db: Session, ticket: Ticket, *, user_id: int, text: str, visibility: str | None
) -> Draft:
    """Keep what an agent is writing on a ticket (one draft per ticket and agent)."""
    draft = repo.draft_of(db, ticket.id, user_id)
    if draft is None:
        draft = Draft(workspace_id=ticket.workspace_id, ticket_id=ticket.id, user_id=user_id)
        db.add(draft)
    draft.text = text
    draft.visibility = visibility
    draft.updated_at = utc_now()
    db.flush()
    return draft


def do_discard_draft(db: Session, ticket: Ticket, *, user_id: int) -> None:
    draft = repo.draft_of(db, ticket.id, user_id)
    if draft is not None:
        db.delete(draft)
        db.flush()


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a send queued: the parts (one outbound row each) and the overrides recorded."""

    send_key: str
    outbound: list[OutboundMessage]
    undo_until: Any
    overridden: list[str]
    findings: list[GuardFinding]


def check_send(result: ComposeCheck, overrides: dict[str, str], confirm_parts: bool) -> None:
    """Refuse a send the guards block (409 with the findings) or an unconfirmed long thread."""
    blocking = result.blocking(overrides)
    if blocking:
        raise Conflict(
            "the reply is blocked by "
            + ", ".join(f.code for f in blocking)
            + "; fix it or give a reason in overrides for each",
            details={
                "reason": "guard_blocked",
                "unresolved": [f.code for f in blocking],
                "findings": [finding_dict(f) for f in result.findings],
            },
        )
    if result.split_error:
        raise InvalidInput(result.split_error)
    if result.needs_confirmation and not confirm_parts:
        raise Conflict(
            f"the reply would be a thread of {len(result.parts)} posts; "
            "send again with confirm_parts: true to post them all",
            details={"reason": "needs_confirmation", "parts": result.parts},
        )


def finding_dict(finding: GuardFinding) -> dict[str, Any]:
    """A finding as JSON."""
    data = asdict(finding)
    data["spans"] = [dict(s) for s in data["spans"]]
    data["evidence"] = list(data["evidence"])
    return data


def do_send_reply(
    db: Session,
    context: ComposeContext,
    *,
    actor: Actor,
    text: str,
    send_key: str | None,
    overrides: dict[str, str],
    confirm_parts: bool,
    marker_style: str | None = None,
) -> SendResult:
    """Guard, split and queue a reply, held back for the undo window.

    A retry with the same ``send_key`` returns what the first call queued and sends
    nothing twice. Each part is one outbound row (``<send_key>:<n>``); each blocking
    finding sent past is recorded (a ``GuardOverride`` row and a ticket history entry).
    """
    ticket = context.ticket
    key = (send_key or "").strip() or f"send-{uuid.uuid4()}"
    existing = repo.sent_with_key(db, ticket.workspace_id, key)
    if existing:
        if any(o.ticket_id != ticket.id for o in existing):
            raise Conflict("this send_key was used for another ticket")
        return SendResult(key, existing, existing[0].next_attempt_at, [], [])
    result = check(context, text, marker_style=marker_style)
    check_send(result, overrides, confirm_parts)
    now = utc_now()
    undo_until = now + timedelta(seconds=max(0, context.settings.undo_seconds))
    total = len(result.parts)
    outbound: list[OutboundMessage] = []
    previous_key = None
    for number, part in enumerate(result.parts, start=1):
        part_key = f"{key}:{number}"
        message = ticket_actions.do_reply(
            db, ticket, actor=actor, text=part, visibility=context.visibility,
            idempotency_key=part_key,
            target_external_id=context.answered.external_id if context.answered else None,
            send_after=undo_until,
            extra={
                "send_key": key, "part": number, "parts": total,
                # Each later part answers the part before it (a thread, in order).
                "after_idempotency_key": previous_key,
                "in_reply_to_engagement_id": context.answered.id if context.answered else None,
            },
        )
        outbound.append(message)
        previous_key = part_key
    overridden = []
    for finding in result.findings:
        reason = overrides.get(finding.code, "").strip()
        if finding.severity != "block" or not reason:
            continue
        db.add(GuardOverride(
            workspace_id=ticket.workspace_id, ticket_id=ticket.id,
            user_id=actor.id if actor.type is ActorType.USER else None,
            code=finding.code, reason=reason, send_key=key, finding=finding_dict(finding),
            created_at=now,
        ))
        record_change(db, ticket, HistoryType.GUARD_OVERRIDDEN, actor, {
            "code": finding.code, "reason": reason, "send_key": key,
            "outbound_ids": [o.id for o in outbound],
        }, at=now)
        overridden.append(finding.code)
    if actor.type is ActorType.USER and actor.id is not None:
        do_discard_draft(db, ticket, user_id=actor.id)
    return SendResult(key, outbound, undo_until, overridden, result.findings)


def do_undo_send(
    db: Session, ticket: Ticket | None, message: OutboundMessage, *, actor: Actor, role: Role
) -> list[int]:
    """Cancel a reply still waiting out its undo window (every part of its thread).

    Refused (409) once the sender has picked it up. The ticket goes back to waiting on
    the team when no other reply answers the customer.
    """
    if message.author_user_id not in (None, actor.id) and role.rank < Role.SUPERVISOR.rank:
        raise Forbidden("only the author of a reply (or a supervisor) can undo it")
    send_key = (message.extra or {}).get("send_key")
    siblings = repo.sent_with_key(db, message.workspace_id, send_key) if send_key else [message]
    cancelled = repo.cancel_if_queued(db, [m.id for m in siblings])
    if message.id not in cancelled:
        raise Conflict(
            f"outbound message {message.id} is {message.state}: it can no longer be undone",
            details={"state": message.state, "cancelled": cancelled},
        )
    if ticket is not None:
        _restore_waiting(db, ticket, [m for m in siblings if m.id in cancelled])
        record_change(db, ticket, HistoryType.REPLY_UNDONE, actor, {
            "outbound_ids": cancelled, "send_key": send_key,
        })
        publish(db, Event(name=EventName.OUTBOUND_CHANGED, workspace_id=ticket.workspace_id,
                          ticket_id=ticket.id, actor=actor,
                          payload={"outbound_ids": cancelled, "state": "cancelled"}))
    return cancelled


def _restore_waiting(db: Session, ticket: Ticket, cancelled: list[OutboundMessage]) -> None:
    remaining = [o for o in repo.live_outbound_of_ticket(db, ticket.id) if o.actor_type == "user"]
    answered = ticket.last_inbound_at is None or any(
        o.created_at >= ticket.last_inbound_at for o in remaining
    )
    if not answered and ticket.status != TicketStatus.CLOSED.value:
        ticket.waiting_since = ticket.last_inbound_at
    if not remaining and any(o.created_at == ticket.first_response_at for o in cancelled):
        ticket.first_response_at = None
        ticket.first_response_by = None


def do_update_composer_settings(
    db: Session, workspace: Workspace, *, data: ComposerSettingsIn
) -> dict[str, Any]:
    """Store the composer settings and the reply generator (its API key encrypted)."""
    settings = dict(workspace.settings or {})
    composer = dict(settings.get("composer") or {})
    for name in ("self_identification", "undo_seconds", "marker_style", "support_url"):
        value = getattr(data, name)
        if value is not None:
            composer[name] = value
    if data.order_patterns is not None:
        for pattern in data.order_patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise InvalidInput(f"order pattern {pattern!r} is not a valid regex: {error}") from error
        composer["order_patterns"] = data.order_patterns
    settings["composer"] = composer
    if data.generator is not None:
        generator = dict(settings.get("reply_generator") or {})
        generator["kind"] = data.generator.kind
        if data.generator.kind == "openai_compatible":
            base_url = (data.generator.base_url or generator.get("base_url") or "").strip()
            model = (data.generator.model or generator.get("model") or "").strip()
            if not base_url.startswith(("http://", "https://")) or not model:
                raise InvalidInput("an OpenAI-compatible generator needs an http(s) base_url and a model")
            generator["base_url"], generator["model"] = base_url, model
        if data.generator.api_key is not None:
            generator["api_key_encrypted"] = (
                secret_box().encrypt_json({"api_key": data.generator.api_key})
                if data.generator.api_key else None
            )
        settings["reply_generator"] = generator
    workspace.settings = settings
    db.flush()
    return settings
