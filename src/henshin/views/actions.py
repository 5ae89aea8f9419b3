"""Saving and deleting custom inbox views (``check_*`` validates, ``do_*`` writes)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from henshin.kit.errors import Forbidden
from henshin.models import SavedView
from henshin.models.workspace import Role
from henshin.views import repository as repo
from henshin.views.schemas import SavedViewIn


def check_may_share(role: Role, shared: bool) -> None:
    if shared and role.rank < Role.SUPERVISOR.rank:
        raise Forbidden("only supervisors and admins can share a view with the whole workspace")


def do_save_view(
    db: Session, *, workspace_id: int, user_id: int, role: Role, view_in: SavedViewIn
) -> SavedView:
    """Store a custom view for the person (or, for supervisors, for everyone)."""
    check_may_share(role, view_in.shared)
    view = SavedView(
        workspace_id=workspace_id,
        owner_user_id=None if view_in.shared else user_id,
        name=view_in.name.strip(),
        filters=view_in.filters.model_dump(mode="json", exclude_defaults=True),
        sort=view_in.sort.value,
    )
    db.add(view)
    db.flush()
    return view


def do_delete_view(db: Session, *, workspace_id: int, user_id: int, role: Role, view_id: int) -> None:
    """Delete a view: one's own, or a shared one for supervisors."""
    view = repo.saved_view(db, workspace_id, view_id, user_id)
    check_may_share(role, view.owner_user_id is None)
    db.delete(view)
