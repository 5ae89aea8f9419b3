"""Every select() the inbox views need: saved views, capped counts, pickers' data."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from henshin.kit.errors import NotFound
from henshin.models import (
    Membership,
    SavedView,
    Team,
    TeamMember,
    Ticket,
    TicketTag,
    User,
    Workspace,
)


def saved_views(db: Session, workspace_id: int, user_id: int) -> Sequence[SavedView]:
    """The person's own views and the workspace's shared ones."""
    return db.scalars(
        select(SavedView)
        .where(
            SavedView.workspace_id == workspace_id,
            or_(SavedView.owner_user_id.is_(None), SavedView.owner_user_id == user_id),
        )
        .order_by(SavedView.name, SavedView.id)
    ).all()


def saved_view(db: Session, workspace_id: int, view_id: int, user_id: int) -> SavedView:
    view = db.scalar(
        select(SavedView).where(
            SavedView.id == view_id,
            SavedView.workspace_id == workspace_id,
            or_(SavedView.owner_user_id.is_(None), SavedView.owner_user_id == user_id),
        )
    )
    if view is None:
        raise NotFound(f"saved view {view_id} not found")
    return view


def capped_count(db: Session, query: Select[tuple[Ticket]], cap: int) -> int:
    """How many rows ``query`` has, counting no further than ``cap`` (fast on huge inboxes)."""
    limited = query.with_only_columns(Ticket.id).order_by(None).limit(cap).subquery()
    return int(db.scalar(select(func.count()).select_from(limited)) or 0)


def workspaces_of_user(db: Session, user_id: int) -> list[tuple[str, str]]:
    rows = db.execute(
        select(Workspace.slug, Workspace.name)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name)
    )
    return [(slug, name) for slug, name in rows]


def members(db: Session, workspace_id: int) -> list[tuple[int, str, str]]:
    rows = db.execute(
        select(User.id, User.name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(User.name)
    )
    return [(uid, name, email) for uid, name, email in rows]


def teams(db: Session, workspace_id: int) -> list[tuple[int, str]]:
    rows = db.execute(
        select(Team.id, Team.name).where(Team.workspace_id == workspace_id).order_by(Team.name)
    )
    return [(tid, name) for tid, name in rows]


def team_ids_of(db: Session, workspace_id: int, user_id: int) -> list[int]:
    rows = db.scalars(
        select(TeamMember.team_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(Team.workspace_id == workspace_id, TeamMember.user_id == user_id)
    )
    return list(rows)


def tag_names(db: Session, workspace_id: int, prefix: str = "", limit: int = 30) -> list[str]:
    """Tag names used in the workspace (for autocomplete), alphabetically."""
    query = (
        select(TicketTag.name)
        .where(TicketTag.workspace_id == workspace_id)
        .distinct()
        .order_by(TicketTag.name)
        .limit(limit)
    )
    if prefix:
        query = query.where(TicketTag.name.like(prefix.replace("%", "").replace("_", "") + "%"))
    return list(db.scalars(query))
