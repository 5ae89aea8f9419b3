"""The composer for one ticket: what a reply will look like, and what stands in its way.

:func:`load_context` gathers, in a handful of reads, everything the pure part-A logic
needs — the network and kind, the @handle, the self-identification, the person's earlier
replies and later posts, labels, intents — and :func:`check` measures, splits and guards
a text against it. The same context serves the check endpoint, sending, and AI drafts, so
what the agent was shown is what the server enforces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from henshin.connectors.meta.window import WindowState, messaging_window
from henshin.kit.time import utc_now
from henshin.models import Channel, Contact, Engagement, Ticket, User, Workspace
from henshin.replies import repository as repo
from henshin.replies.guards import (
    GuardContext,
    GuardFinding,
    LaterPost,
    PastReply,
    ReplyDraft,
    run_guards,
    unresolved,
)
from henshin.replies.limits import Measure, compose_reply, measure
from henshin.replies.splitting import SplitError, needs_confirmation, split_reply
from henshin.replies.templates import render

# Networks whose public replies show the @handle first, inside the counted text.
HANDLE_FIRST_NETWORKS = frozenset({"x", "mastodon", "bluesky"})
MESSAGING_WINDOW_NETWORKS = frozenset({"facebook", "instagram"})
DEFAULT_UNDO_SECONDS = 5
SIGNATURE_MARKS = ("—", "–", "-", "－", "^", "〜", "~")


@dataclass(frozen=True, slots=True)
class ComposerSettings:
    """A workspace's composer settings (``Workspace.settings["composer"]``) with defaults."""

    self_identification: str = "auto"
    undo_seconds: int = DEFAULT_UNDO_SECONDS
    marker_style: str = "ja"
    support_url: str | None = None
    order_patterns: tuple[str, ...] = ()

    @classmethod
    def of(cls, workspace: Workspace) -> ComposerSettings:
        """Read the settings stored on a workspace, falling back to the defaults."""
        raw: dict[str, Any] = dict((workspace.settings or {}).get("composer") or {})
        return cls(
            self_identification=str(raw.get("self_identification") or "auto"),
            undo_seconds=int(raw.get("undo_seconds", DEFAULT_UNDO_SECONDS)),
            marker_style=str(raw.get("marker_style") or ("en" if workspace.locale == "en" else "ja")),
            support_url=raw.get("support_url") or None,
            order_patterns=tuple(raw.get("order_patterns") or ()),
        )


@dataclass(slots=True)
class ComposeContext:
    """Everything known about the conversation a reply on ``ticket`` answers."""

    workspace: Workspace
    ticket: Ticket
    channel: Channel | None
    agent: User
    contact: Contact | None
    answered: Engagement | None
    settings: ComposerSettings
    visibility: str
    kind: str
    handle: str | None
    prefix: str | None
    signature: str | None
    guard_context: GuardContext
    window: WindowState | None = None
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ComposeCheck:
    """A reply measured, split and guarded."""

    measure: Measure
    parts: list[str]
    needs_confirmation: bool
    split_error: str | None
    findings: list[GuardFinding]

    def blocking(self, overrides: dict[str, str]) -> list[GuardFinding]:
        """The block findings the given overrides do not resolve."""
        return unresolved(self.findings, overrides)


def reply_kind(ticket: Ticket, visibility: str | None) -> tuple[str, str]:
    """(kind, visibility) of a reply on ``ticket``: DMs stay private, comments default public."""
    if ticket.kind == "dm" or ticket.network == "line":
        return "dm", "private"
    chosen = visibility or "public"
    return ("private_reply" if chosen == "private" else "reply"), chosen


def load_context(
    db: Session,
    *,
    workspace: Workspace,
    ticket: Ticket,
    agent: User,
    visibility: str | None = None,
    identify: str = "auto",
    in_reply_to: int | None = None,
    now: datetime | None = None,
) -> ComposeContext:
    """Gather what a reply on ``ticket`` by ``agent`` will be checked against."""
    now = now or utc_now()
    settings = ComposerSettings.of(workspace)
    channel = repo.channel(db, workspace.id, ticket.channel_id)
    contact = repo.contact(db, workspace.id, ticket.contact_id) if ticket.contact_id else None
    answered = repo.answered_engagement(db, ticket, in_reply_to)
    kind, chosen_visibility = reply_kind(ticket, visibility)
    people = repo.person_contacts(db, workspace.id, contact) if contact else []
    contact_ids = [c.id for c in people]
    labels = frozenset(label for c in people for label in (c.labels or []))
    handle = None
    if contact and contact.handle and chosen_visibility == "public" and ticket.network in HANDLE_FIRST_NETWORKS:
        handle = contact.handle if contact.handle.startswith("@") else f"@{contact.handle}"
    variables = template_variables(workspace, ticket, agent, contact, settings)
    prefix, signature = self_identification(
        db, workspace=workspace, channel=channel, agent=agent, settings=settings,
        identify=identify, variables=variables,
    )
    later = (
        repo.later_posts(db, workspace.id, contact_ids, answered.created_at, answered.id)
        if answered is not None
        else []
    )
    past = repo.replies_to_person(db, workspace.id, contact_ids)
    intents = None
    if answered is not None and answered.analysis and "intents" in answered.analysis:
        intents = frozenset(answered.analysis.get("intents") or ())
    guard_context = GuardContext(
        customer_text=answered.text if answered is not None else "",
        previous_replies_to_contact=[
            PastReply(text=o.text, sent_at=o.sent_at or o.created_at, ticket_id=str(o.ticket_id))
            for o in past
        ],
        later_posts_by_author=[
            LaterPost(text=e.text, created_at=e.created_at, url=e.url) for e in later
        ],
        contact_labels=labels,
        is_proactive=ticket.kind == "listening",
        order_patterns=settings.order_patterns,
        customer_intents=intents,
    )
    window = None
    if ticket.network in MESSAGING_WINDOW_NETWORKS and kind == "dm":
        window = messaging_window(ticket.last_inbound_at, now)
    return ComposeContext(
        workspace=workspace, ticket=ticket, channel=channel, agent=agent, contact=contact,
        answered=answered, settings=settings, visibility=chosen_visibility, kind=kind,
        handle=handle, prefix=prefix, signature=signature, guard_context=guard_context,
        window=window, variables=variables,
    )


def template_variables(
    workspace: Workspace,
    ticket: Ticket,
    agent: User,
    contact: Contact | None,
    settings: ComposerSettings,
) -> dict[str, str]:
    """Values the ticket and the agent supply for ``{variables}`` in saved replies."""
    values = {
        "agent_name": agent.name,
        "brand_name": workspace.name,
        "ticket_id": str(ticket.id),
        "network": ticket.network,
    }
    if contact is not None:
        if contact.display_name:
            values["customer_name"] = contact.display_name
        if contact.handle:
            values["handle"] = contact.handle if contact.handle.startswith("@") else f"@{contact.handle}"
    if settings.support_url:
        values["support_url"] = settings.support_url
    return values


def self_identification(
    db: Session,
    *,
    workspace: Workspace,
    channel: Channel | None,
    agent: User,
    settings: ComposerSettings,
    identify: str,
    variables: dict[str, str],
) -> tuple[str | None, str | None]:
    """The (prefix, signature) the workspace wants on this agent's replies on this channel.

    The channel's ``settings["composer"]`` may set its own ``self_identification`` mode and
    ``prefix`` / ``signature`` templates ("{brand_name}の{agent_name}です。", "— {agent_name}");
    otherwise the agent's ``Membership.signature`` is used: as a signature when it starts
    with a dash ("— Ty"), as a prefix otherwise (「○○会社の××です。」).
    """
    if identify == "none":
        return None, None
    channel_settings: dict[str, Any] = dict(((channel.settings if channel else None) or {}).get("composer") or {})
    mode = str(channel_settings.get("self_identification") or settings.self_identification)
    if mode == "none":
        return None, None
    member = repo.membership(db, workspace.id, agent.id)
    own = (member.signature or "").strip() if member else ""
    prefix_template = channel_settings.get("prefix")
    signature_template = channel_settings.get("signature")
    prefix = _fill(prefix_template, variables) if prefix_template else None
    signature = _fill(signature_template, variables) if signature_template else None
    if own:
        looks_like_signature = own.startswith(SIGNATURE_MARKS)
        if prefix is None and not looks_like_signature:
            prefix = own
        if signature is None and looks_like_signature:
            signature = own
    if mode == "prefix":
        return prefix or (own or None), None
    if mode == "signature":
        return None, signature or (own or None)
    return prefix, signature  # auto / both: whatever is configured


def _fill(template: object, variables: dict[str, str]) -> str | None:
    try:
        text = render(str(template), variables).text.strip()
    except ValueError:
        text = str(template).strip()
    return text or None


def check(context: ComposeContext, text: str, *, marker_style: str | None = None) -> ComposeCheck:
    """Measure, split and guard ``text`` (as typed: guard spans index into it)."""
    network = context.ticket.network
    style = marker_style or context.settings.marker_style
    composed_measure = measure(
        text, network=network, kind=context.kind, handle=context.handle,
        prefix=context.prefix, signature=context.signature,
    )
    split_error = None
    try:
        parts = split_reply(
            text, network=network, kind=context.kind, handle=context.handle,
            prefix=context.prefix, signature=context.signature,
            marker_style="en" if style == "en" else "ja",
        )
    except SplitError as error:
        parts = [compose_reply(text.strip(), handle=context.handle, prefix=context.prefix,
                               signature=context.signature)]
        split_error = str(error)
    reply = ReplyDraft(text=text, visibility=context.visibility, network=network, kind=context.kind)
    findings = run_guards(reply, context.guard_context)
    return ComposeCheck(
        measure=composed_measure,
        parts=parts,
        needs_confirmation=needs_confirmation(parts),
        split_error=split_error,
        findings=findings,
    )
