"""Moderating a ticket's comment on the network: hide, unhide, delete (queued outbound rows
the delivery worker sends once; the state shows in the ticket's history)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from henshin.channels.outbound import do_moderate
from henshin.channels.schemas import ModerationIn
from henshin.events.bus import Actor
from henshin.tickets import repository as tickets_repo
from henshin.web.deps import CurrentCaller, DbSession

router = APIRouter(prefix="/tickets", tags=["moderation"])


class ModerationOut(BaseModel):
    outbound_id: int
    kind: str
    state: str
    target_external_id: str | None


def _moderate(kind: str, ticket_id: int, body: ModerationIn | None, caller: CurrentCaller,
              db: DbSession) -> ModerationOut:
    body = body or ModerationIn()
    ticket = tickets_repo.get_ticket(db, caller.workspace_id, ticket_id, lock=True)
    message = do_moderate(db, ticket, actor=Actor.user(caller.user_id, caller.user.name), kind=kind,
                          engagement_id=body.engagement_id, idempotency_key=body.idempotency_key)
    db.commit()
    return ModerationOut(outbound_id=message.id, kind=message.kind, state=message.state,
                         target_external_id=message.target_external_id)


@router.post("/{ticket_id}/hide", response_model=ModerationOut, status_code=202)
def hide(ticket_id: int, caller: CurrentCaller, db: DbSession, body: ModerationIn | None = None) -> ModerationOut:
    """Hide the customer's comment on the network (the first one, or ``engagement_id``)."""
    return _moderate("hide", ticket_id, body, caller, db)


@router.post("/{ticket_id}/unhide", response_model=ModerationOut, status_code=202)
def unhide(ticket_id: int, caller: CurrentCaller, db: DbSession, body: ModerationIn | None = None) -> ModerationOut:
    return _moderate("unhide", ticket_id, body, caller, db)


@router.post("/{ticket_id}/delete-comment", response_model=ModerationOut, status_code=202)
def delete_comment(ticket_id: int, caller: CurrentCaller, db: DbSession,
                   body: ModerationIn | None = None) -> ModerationOut:
    """Delete the comment on the network (where the API allows it for our posts)."""
    return _moderate("delete", ticket_id, body, caller, db)
