"""Reads for the inbox page: the views a person sees, their counts, the pickers' data."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.orm import Session

from henshin.kit.errors import InvalidInput
from henshin.models.ticket import Priority, TicketStatus
from henshin.tickets import repository as tickets_repo
from henshin.tickets.schemas import TicketFilter, TicketSort
from henshin.understand.normalize import fold
from henshin.views import repository as repo
from henshin.views.schemas import InboxView

COUNT_CAP = 10_000  # "9999+" beyond this: counting a million rows would slow every page
BUILTIN_KEYS = ("unassigned", "mine", "team", "open", "urgent", "snoozed", "closed")


def builtin_views(user_id: int, team_ids: list[int]) -> list[InboxView]:
    """The built-in views, resolved for one person (Mine, My team depend on who looks)."""
    open_ = [TicketStatus.OPEN]
    return [
        InboxView("unassigned", "inbox.view.unassigned", None, TicketFilter(status=open_, unassigned=True)),
        InboxView("mine", "inbox.view.mine", None, TicketFilter(status=open_, assignee_id=[user_id])),
        # A person in no team sees an empty "My team" rather than every ticket.
        InboxView("team", "inbox.view.team", None, TicketFilter(status=open_, team_id=team_ids or [0])),
        InboxView("open", "inbox.view.open", None, TicketFilter(status=open_)),
        InboxView(
            "urgent", "inbox.view.urgent", None,
            TicketFilter(status=open_, priority=[Priority.HIGH, Priority.URGENT]),
        ),
        InboxView("snoozed", "inbox.view.snoozed", None, TicketFilter(status=[TicketStatus.SNOOZED]),
                  TicketSort.ACTIVITY),
        InboxView("closed", "inbox.view.closed", None, TicketFilter(status=[TicketStatus.CLOSED])),
    ]


def views_for(db: Session, workspace_id: int, user_id: int) -> list[InboxView]:
    """Built-in views then the person's saved views (their own and the shared ones)."""
    views = builtin_views(user_id, repo.team_ids_of(db, workspace_id, user_id))
    for saved in repo.saved_views(db, workspace_id, user_id):
        try:
            f = TicketFilter.model_validate(saved.filters)
        except ValidationError:  # a view saved by an older version: show it, match nothing odd
            f = TicketFilter()
        views.append(
            InboxView(
                f"saved-{saved.id}", None, saved.name, f, TicketSort(saved.sort),
                saved_id=saved.id, shared=saved.owner_user_id is None,
            )
        )
    return views


def find_view(views: list[InboxView], key: str) -> InboxView:
    for view in views:
        if view.key == key:
            return view
    raise InvalidInput(f"unknown inbox view {key!r}")


def count_view(db: Session, workspace_id: int, f: TicketFilter, cap: int = COUNT_CAP) -> int:
    """How many tickets a view holds, up to ``cap``."""
    if f.q and f.q.strip():
        f = f.model_copy(update={"folded_query": fold(f.q.strip())})
    return repo.capped_count(db, tickets_repo.filtered(workspace_id, f), cap)


def workspaces_of_user(db: Session, user_id: int) -> list[tuple[str, str]]:
    """(slug, name) of each workspace the person is a member of."""
    return repo.workspaces_of_user(db, user_id)


def members(db: Session, workspace_id: int) -> list[tuple[int, str, str]]:
    """(id, name, email) of the workspace's members, for assign pickers and @mentions."""
    return repo.members(db, workspace_id)


def teams(db: Session, workspace_id: int) -> list[tuple[int, str]]:
    """(id, name) of the workspace's teams."""
    return repo.teams(db, workspace_id)


def tag_suggestions(db: Session, workspace_id: int, prefix: str = "") -> list[str]:
    """Tag names for autocomplete."""
    return repo.tag_names(db, workspace_id, prefix.strip().lower())


def ensure_ticket(db: Session, workspace_id: int, ticket_id: int) -> None:
    """``NotFound`` unless the ticket is in the workspace (presence is scoped like the rest)."""
    tickets_repo.get_ticket(db, workspace_id, ticket_id)
