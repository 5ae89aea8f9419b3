"""Saved replies: CRUD, search from the composer (``q``, ``/shortcut``), render with usage count."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from henshin.replies import actions
from henshin.replies import repository as repo
from henshin.replies.composer import ComposerSettings, template_variables
from henshin.replies.queries import list_saved_replies, saved_reply_out
from henshin.replies.schemas import (
    RenderIn,
    RenderOut,
    SavedReplyIn,
    SavedReplyList,
    SavedReplyOut,
    SavedReplyUpdate,
)
from henshin.tickets import repository as ticket_repo
from henshin.web.deps import Caller, CurrentCaller, DbSession

router = APIRouter(prefix="/saved-replies", tags=["saved replies"])



@router.get("", response_model=SavedReplyList)
def get_saved_replies(
    caller: CurrentCaller,
    db: DbSession,
    q: str | None = None,
    language: str | None = None,
    network: str | None = None,
    shortcut: str | None = None,
    scope: Literal["all", "shared", "personal"] = "all",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> SavedReplyList:
    """Shared saved replies and the caller's own; ``q`` matches title, body, tags, shortcut."""
    return list_saved_replies(
        db, caller.workspace_id, caller.user_id, q=q, language=language, network=network,
        shortcut=shortcut, scope=scope, limit=limit, offset=offset,
    )


@router.post("", response_model=SavedReplyOut, status_code=201)
def create_saved_reply(body: SavedReplyIn, caller: CurrentCaller, db: DbSession) -> SavedReplyOut:
    """Create a saved reply; unknown ``{variables}`` or a lone brace are refused (422)."""
    row = actions.do_create_saved_reply(
        db, workspace_id=caller.workspace_id, actor=caller.actor, role=caller.role, data=body
    )
    db.commit()
    return saved_reply_out(row)


def _visible(db: DbSession, caller: Caller, saved_reply_id: int):  # type: ignore[no-untyped-def]
    row = repo.get_saved_reply(db, caller.workspace_id, saved_reply_id)
    if row.owner_user_id not in (None, caller.user_id):
        from henshin.kit.errors import NotFound

        raise NotFound(f"saved reply {saved_reply_id} not found")
    return row


@router.get("/{saved_reply_id}", response_model=SavedReplyOut)
def get_saved_reply(saved_reply_id: int, caller: CurrentCaller, db: DbSession) -> SavedReplyOut:
    return saved_reply_out(_visible(db, caller, saved_reply_id))


@router.patch("/{saved_reply_id}", response_model=SavedReplyOut)
def update_saved_reply(
    saved_reply_id: int, body: SavedReplyUpdate, caller: CurrentCaller, db: DbSession
) -> SavedReplyOut:
    row = _visible(db, caller, saved_reply_id)
    actions.do_update_saved_reply(db, row, actor=caller.actor, role=caller.role, data=body)
    db.commit()
    return saved_reply_out(row)


@router.delete("/{saved_reply_id}", status_code=204)
def delete_saved_reply(saved_reply_id: int, caller: CurrentCaller, db: DbSession) -> Response:
    row = _visible(db, caller, saved_reply_id)
    actions.do_delete_saved_reply(db, row, actor=caller.actor, role=caller.role)
    db.commit()
    return Response(status_code=204)


@router.post("/{saved_reply_id}/render", response_model=RenderOut)
def render_saved_reply(
    saved_reply_id: int,
    caller: CurrentCaller,
    db: DbSession,
    body: RenderIn | None = None,
    ticket_id: int | None = None,
) -> RenderOut:
    """Fill the variables from the ticket (customer, handle), the agent and the brand.

    Counts one use. Variables still without a value stay visible as ``{name}`` and are
    listed in ``missing``.
    """
    row = _visible(db, caller, saved_reply_id)
    values: dict[str, str] = {
        "agent_name": caller.user.name, "brand_name": caller.workspace.name,
    }
    settings = ComposerSettings.of(caller.workspace)
    if settings.support_url:
        values["support_url"] = settings.support_url
    if ticket_id is not None:
        ticket = ticket_repo.get_ticket(db, caller.workspace_id, ticket_id)
        contact = repo.contact(db, caller.workspace_id, ticket.contact_id) if ticket.contact_id else None
        values.update(template_variables(caller.workspace, ticket, caller.user, contact, settings))
    values.update({k: v for k, v in (body.variables if body else {}).items() if v.strip()})
    rendered = actions.do_apply_saved_reply(db, row, variables=values)
    db.commit()
    return RenderOut(
        saved_reply_id=row.id, text=rendered.text, missing=rendered.missing,
        unknown=rendered.unknown, complete=rendered.complete, usage_count=row.usage_count,
    )
