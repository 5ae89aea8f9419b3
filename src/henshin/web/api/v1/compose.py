"""The composer on a ticket: check, suggestions, AI drafts, drafts, guarded send and undo."""

from __future__ import annotations

from fastapi import APIRouter, Request

from henshin.kit.errors import InvalidInput
from henshin.models import Ticket
from henshin.models.workspace import Role
from henshin.replies import actions
from henshin.replies import repository as repo
from henshin.replies.composer import ComposeContext, check, load_context
from henshin.replies.drafting import DraftGenerationError, GroundedTemplateGenerator, draft_reply
from henshin.replies.guards import GuardFinding
from henshin.replies.limits import Measure
from henshin.replies.listeners import catalog_for
from henshin.replies.queries import (
    composer_settings_out,
    grounding_sources,
    reply_generator,
    suggestions,
)
from henshin.replies.schemas import (
    ComposeCheckOut,
    ComposeIn,
    ComposerSettingsIn,
    ComposerSettingsOut,
    DraftAIIn,
    DraftAIOut,
    DraftIn,
    DraftOut,
    FindingOut,
    GroundingOut,
    MeasureOut,
    OutboundOut,
    SendIn,
    SendOut,
    SpanOut,
    SuggestionsOut,
    UndoOut,
    WindowOut,
)
from henshin.tickets import actions as ticket_actions
from henshin.tickets import repository as ticket_repo
from henshin.web.deps import Caller, CurrentCaller, DbSession, get_database

router = APIRouter(tags=["composer"])



def finding_out(f: GuardFinding) -> FindingOut:
    return FindingOut(
        code=f.code, severity=f.severity, message_ja=f.message_ja, message_en=f.message_en,
        spans=[SpanOut(start=s.start, end=s.end, kind=s.kind, text=s.text) for s in f.spans],
        suggestion=f.suggestion, overridable=f.overridable, evidence=list(f.evidence),
    )


def measure_out(m: Measure) -> MeasureOut:
    return MeasureOut(used=m.used, limit=m.limit, remaining=m.remaining, over=m.over, unit=m.unit.value)


def _context(db: DbSession, caller: Caller, ticket: Ticket, visibility: str | None,
             identify: str, in_reply_to: int | None) -> ComposeContext:
    return load_context(db, workspace=caller.workspace, ticket=ticket, agent=caller.user,
                        visibility=visibility, identify=identify, in_reply_to=in_reply_to)


@router.post("/tickets/{ticket_id}/compose/check", response_model=ComposeCheckOut)
def compose_check(ticket_id: int, body: ComposeIn, caller: CurrentCaller, db: DbSession) -> ComposeCheckOut:
    """Measure the reply as the network counts it, preview its split, and run the guards.

    Nothing is saved. ``findings`` explain themselves in Japanese and English; ``blocked``
    is true while a ``block`` finding stands (``send`` then needs a reason for it).
    """
    ticket = ticket_repo.get_ticket(db, caller.workspace_id, ticket_id)
    context = _context(db, caller, ticket, body.visibility, body.identify, body.in_reply_to)
    result = check(context, body.text, marker_style=body.marker_style)
    return ComposeCheckOut(
        ticket_id=ticket.id, network=ticket.network, kind=context.kind,
        visibility=context.visibility,
        handle=context.handle, prefix=context.prefix, signature=context.signature,
        measure=measure_out(result.measure), parts=result.parts,
        needs_confirmation=result.needs_confirmation, split_error=result.split_error,
        findings=[finding_out(f) for f in result.findings],
        blocked=bool(result.blocking({})),
        messaging_window=WindowOut(**context.window.model_dump()) if context.window else None,
        in_reply_to=context.answered.id if context.answered else None,
        undo_seconds=context.settings.undo_seconds,
    )


@router.get("/tickets/{ticket_id}/suggestions", response_model=SuggestionsOut)
def get_suggestions(
    ticket_id: int, request: Request, caller: CurrentCaller, db: DbSession,
    limit: int = 5, in_reply_to: int | None = None,
) -> SuggestionsOut:
    """Saved replies and published articles ranked by similarity to the customer's message."""
    ticket = ticket_repo.get_ticket(db, caller.workspace_id, ticket_id)
    answered = repo.answered_engagement(db, ticket, in_reply_to)
    return suggestions(db, catalog_for(get_database(request)), viewer_user_id=caller.user_id,
                       limit=limit, answering=(caller.workspace, ticket, answered))


@router.post("/tickets/{ticket_id}/draft-ai", response_model=DraftAIOut)
def draft_ai(
    ticket_id: int, body: DraftAIIn, request: Request, caller: CurrentCaller, db: DbSession
) -> DraftAIOut:
    """Propose a reply in a language and tone, grounded in the best saved replies and articles.

    Uses the workspace's generator (an OpenAI-compatible endpoint, or the built-in
    grounded drafts). The draft is checked by the same guards and is never sent.
    """
    if body.language not in ("ja", "en", "customer") and not body.language.isalpha():
        raise InvalidInput("language is ja, en, customer or a language code")
    ticket = ticket_repo.get_ticket(db, caller.workspace_id, ticket_id)
    context = _context(db, caller, ticket, body.visibility, body.identify, body.in_reply_to)
    found = suggestions(db, catalog_for(get_database(request)), context,
                        viewer_user_id=caller.user_id, limit=3)
    sources = grounding_sources(db, found, caller.workspace_id)
    variables = dict(context.variables)
    if found.articles:
        variables.setdefault("kb_url", str(request.base_url).rstrip("/") + found.articles[0].public_url)
    history = [e.text for e in ticket_repo.engagements_of(db, ticket.id)][-10:]
    customer_language = (context.answered.language if context.answered else None) or ticket.language
    kwargs = dict(
        customer_text=found.customer_text, tone=body.tone, network=ticket.network,
        kind=context.kind, language=body.language, customer_language=customer_language,
        sources=sources, history=history, variables=variables, handle=context.handle,
        prefix=context.prefix, signature=context.signature, guard_context=context.guard_context,
    )
    error = None
    try:
        draft = draft_reply(generator=reply_generator(caller.workspace), **kwargs)  # type: ignore[arg-type]
    except DraftGenerationError as failure:
        error = str(failure)
        draft = draft_reply(generator=GroundedTemplateGenerator(), **kwargs)  # type: ignore[arg-type]
    titles = {f"r{r.id}": r.title for r in found.saved_replies} | {f"a{a.id}": a.title for a in found.articles}
    return DraftAIOut(
        text=draft.text, language=draft.language, tone=draft.tone, generator=draft.generator,
        generator_error=error,
        grounded_on=[
            GroundingOut(kind="saved_reply" if g.startswith("r") else "article", id=int(g[1:]),
                         title=titles.get(g, ""))
            for g in draft.grounded_on
        ],
        findings=[finding_out(f) for f in draft.findings],
        missing_variables=draft.missing_variables, measure=measure_out(draft.measure),
    )


@router.post("/tickets/{ticket_id}/send", response_model=SendOut)
def send(ticket_id: int, body: SendIn, caller: CurrentCaller, db: DbSession) -> SendOut:
    """Send a reply through the guards: a ``block`` finding needs a reason in ``overrides``.

    409 with ``details.findings`` when blocked, or ``details.reason = needs_confirmation``
    for a thread of more than 3 posts. The posts are queued for after the undo window
    (``undo_until``); ``POST /outbound/{id}/undo`` cancels them until then. A retry with the
    same ``send_key`` sends nothing twice.
    """
    ticket = ticket_repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    context = _context(db, caller, ticket, body.visibility, body.identify, body.in_reply_to)
    result = actions.do_send_reply(
        db, context, actor=caller.actor, text=body.text, send_key=body.send_key,
        overrides=body.overrides, confirm_parts=body.confirm_parts, marker_style=body.marker_style,
    )
    if body.close:
        ticket_actions.do_close(db, ticket, actor=caller.actor)
    db.commit()
    return SendOut(
        ticket_id=ticket.id, send_key=result.send_key,
        outbound=[
            OutboundOut(
                id=o.id, text=o.text, state=o.state, part=int((o.extra or {}).get("part", 1)),
                parts=int((o.extra or {}).get("parts", 1)), send_after=o.next_attempt_at,
                idempotency_key=o.idempotency_key,
            )
            for o in result.outbound
        ],
        undo_until=result.undo_until, overridden=result.overridden,
        findings=[finding_out(f) for f in result.findings],
    )


@router.post("/outbound/{outbound_id}/undo", response_model=UndoOut)
def undo(outbound_id: int, caller: CurrentCaller, db: DbSession) -> UndoOut:
    """Cancel a reply (and the rest of its thread) that is still waiting to be sent."""
    message = repo.get_outbound(db, caller.workspace_id, outbound_id)
    ticket = (
        ticket_repo.get_ticket(db, caller.workspace_id, message.ticket_id, lock=True)
        if message.ticket_id else None
    )
    cancelled = actions.do_undo_send(db, ticket, message, actor=caller.actor, role=caller.role)
    db.commit()
    return UndoOut(cancelled=cancelled, ticket_id=message.ticket_id)


@router.get("/tickets/{ticket_id}/draft", response_model=DraftOut)
def get_draft(ticket_id: int, caller: CurrentCaller, db: DbSession) -> DraftOut:
    """The caller's saved draft on this ticket (empty text when there is none)."""
    ticket = ticket_repo.get_ticket(db, caller.workspace_id, ticket_id)
    draft = repo.draft_of(db, ticket.id, caller.user_id)
    if draft is None:
        return DraftOut(ticket_id=ticket.id, text="", visibility=None, updated_at=None)
    return DraftOut(ticket_id=ticket.id, text=draft.text, visibility=draft.visibility,
                    updated_at=draft.updated_at)


@router.put("/tickets/{ticket_id}/draft", response_model=DraftOut)
def put_draft(ticket_id: int, body: DraftIn, caller: CurrentCaller, db: DbSession) -> DraftOut:
    """Save the caller's draft on this ticket (an empty text discards it)."""
    ticket = ticket_repo.get_ticket(db, caller.workspace_id, ticket_id)
    if not body.text.strip():
        actions.do_discard_draft(db, ticket, user_id=caller.user_id)
        db.commit()
        return DraftOut(ticket_id=ticket.id, text="", visibility=None, updated_at=None)
    draft = actions.do_save_draft(db, ticket, user_id=caller.user_id, text=body.text,
                                  visibility=body.visibility)
    db.commit()
    return DraftOut(ticket_id=ticket.id, text=draft.text, visibility=draft.visibility,
                    updated_at=draft.updated_at)


@router.get("/composer/settings", response_model=ComposerSettingsOut)
def get_composer_settings(caller: CurrentCaller) -> ComposerSettingsOut:
    return composer_settings_out(caller.workspace)


@router.put("/composer/settings", response_model=ComposerSettingsOut)
def put_composer_settings(body: ComposerSettingsIn, caller: CurrentCaller, db: DbSession) -> ComposerSettingsOut:
    """Self-identification, undo window, thread markers, support URL, order number patterns,
    and the reply generator (an OpenAI-compatible endpoint; its API key is stored encrypted)."""
    caller.require(Role.ADMIN)
    workspace = repo.workspace(db, caller.workspace_id, lock=True)
    actions.do_update_composer_settings(db, workspace, data=body)
    db.commit()
    return composer_settings_out(workspace)
