"""All reads and writes of workspaces, users, memberships, teams, sessions and tokens."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from henshin.models import ApiToken, Membership, Team, TeamMember, User, UserSession, Workspace


def workspace_by_slug(db: Session, slug: str) -> Workspace | None:
    return db.scalar(select(Workspace).where(Workspace.slug == slug))


def workspace_by_id(db: Session, workspace_id: int) -> Workspace | None:
    return db.get(Workspace, workspace_id)


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email.strip().lower()))


def user_by_id(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def membership(db: Session, workspace_id: int, user_id: int) -> Membership | None:
    return db.scalar(
        select(Membership).where(
            Membership.workspace_id == workspace_id, Membership.user_id == user_id
        )
    )


def memberships_of_user(db: Session, user_id: int) -> Sequence[tuple[Membership, Workspace]]:
    rows = db.execute(
        select(Membership, Workspace)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name)
    )
    return [(m, w) for m, w in rows]


def members_of_workspace(db: Session, workspace_id: int) -> Sequence[tuple[Membership, User]]:
    rows = db.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(User.name)
    )
    return [(m, u) for m, u in rows]


def teams_of_workspace(db: Session, workspace_id: int) -> Sequence[Team]:
    return db.scalars(
        select(Team).where(Team.workspace_id == workspace_id).order_by(Team.name)
    ).all()


def team_in_workspace(db: Session, workspace_id: int, team_id: int) -> Team | None:
    return db.scalar(select(Team).where(Team.workspace_id == workspace_id, Team.id == team_id))


def team_member_ids(db: Session, team_id: int) -> list[int]:
    return list(db.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id)))


def team_ids_of_user(db: Session, workspace_id: int, user_id: int) -> list[int]:
    return list(
        db.scalars(
            select(TeamMember.team_id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.workspace_id == workspace_id, TeamMember.user_id == user_id)
        )
    )


def session_by_digest(db: Session, digest: str) -> UserSession | None:
    return db.scalar(select(UserSession).where(UserSession.token_digest == digest))


def token_by_digest(db: Session, digest: str) -> ApiToken | None:
    return db.scalar(select(ApiToken).where(ApiToken.token_digest == digest))


def tokens_of_workspace(db: Session, workspace_id: int) -> Sequence[ApiToken]:
    return db.scalars(
        select(ApiToken).where(ApiToken.workspace_id == workspace_id).order_by(ApiToken.id)
    ).all()
