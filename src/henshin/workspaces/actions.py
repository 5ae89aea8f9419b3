"""Every write to workspaces, users, teams, sessions and tokens (check_* then do_*)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from henshin.kit.errors import Conflict, InvalidInput, NotFound, Unauthorized
from henshin.kit.secrets import new_token, token_digest
from henshin.kit.time import utc_now
from henshin.models import ApiToken, Membership, Team, TeamMember, User, UserSession, Workspace
from henshin.models.workspace import Role
from henshin.workspaces import repository as repo
from henshin.workspaces.passwords import hash_password, verify_password

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
SESSION_LIFETIME = timedelta(days=14)


def check_slug(db: Session, slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise InvalidInput(
            f"workspace slug {slug!r} must be 2–63 characters of a-z, 0-9 and '-', "
            "starting with a letter or digit"
        )
    if repo.workspace_by_slug(db, slug):
        raise Conflict(f"a workspace called {slug!r} already exists")
    return slug


def do_create_workspace(
    db: Session, *, slug: str, name: str, timezone: str = "Asia/Tokyo", locale: str = "ja"
) -> Workspace:
    workspace = Workspace(
        slug=check_slug(db, slug), name=name.strip() or slug, timezone=timezone, locale=locale
    )
    db.add(workspace)
    db.flush()
    return workspace


def check_new_user(db: Session, email: str, password: str | None) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise InvalidInput(f"{email!r} is not an email address")
    if password is not None and len(password) < 8:
        raise InvalidInput("passwords need at least 8 characters")
    if repo.user_by_email(db, email):
        raise Conflict(f"a user with the email {email!r} already exists")
    return email


def do_create_user(
    db: Session, *, email: str, name: str, password: str | None, locale: str | None = None
) -> User:
    email = check_new_user(db, email, password)
    user = User(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash=hash_password(password) if password else None,
        locale=locale,
    )
    db.add(user)
    db.flush()
    return user


def do_add_member(
    db: Session,
    *,
    workspace: Workspace,
    user: User,
    role: Role = Role.AGENT,
    signature: str | None = None,
) -> Membership:
    existing = repo.membership(db, workspace.id, user.id)
    if existing:
        existing.role = role.value
        return existing
    member = Membership(
        workspace_id=workspace.id, user_id=user.id, role=role.value, signature=signature
    )
    db.add(member)
    db.flush()
    return member


def do_create_team(
    db: Session, *, workspace_id: int, name: str, member_ids: list[int] | None = None
) -> Team:
    team = Team(workspace_id=workspace_id, name=check_team_name(db, workspace_id, name))
    db.add(team)
    db.flush()
    for user_id in member_ids or []:
        if not repo.membership(db, workspace_id, user_id):
            raise InvalidInput(f"user {user_id} is not a member of this workspace")
        db.add(TeamMember(team_id=team.id, user_id=user_id))
    db.flush()
    return team


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once, never stored
    record: ApiToken


def do_create_api_token(db: Session, *, workspace_id: int, user_id: int, name: str) -> IssuedToken:
    if not repo.membership(db, workspace_id, user_id):
        raise InvalidInput("a token can only act as a member of its workspace")
    token = new_token("hs")
    record = ApiToken(
        workspace_id=workspace_id,
        user_id=user_id,
        name=name,
        token_digest=token_digest(token),
        prefix=token[:8],
    )
    db.add(record)
    db.flush()
    return IssuedToken(token=token, record=record)


def do_revoke_api_token(db: Session, *, workspace_id: int, token_id: int) -> None:
    record = db.get(ApiToken, token_id)
    if record is None or record.workspace_id != workspace_id:
        raise NotFound(f"token {token_id} not found")
    record.revoked_at = utc_now()


@dataclass(frozen=True)
class IssuedSession:
    token: str
    record: UserSession


def check_login(db: Session, email: str, password: str) -> User:
    user = repo.user_by_email(db, email)
    if user is None or not verify_password(user.password_hash, password):
        raise Unauthorized("email or password is wrong")
    return user


def do_start_session(db: Session, *, user: User) -> IssuedSession:
    memberships = repo.memberships_of_user(db, user.id)
    token = secrets.token_urlsafe(32)
    record = UserSession(
        token_digest=token_digest(token),
        user_id=user.id,
        workspace_id=memberships[0][1].id if memberships else None,
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utc_now() + SESSION_LIFETIME,
    )
    db.add(record)
    db.flush()
    return IssuedSession(token=token, record=record)


def do_end_session(db: Session, *, record: UserSession) -> None:
    record.revoked_at = utc_now()


def do_switch_workspace(db: Session, *, record: UserSession, workspace_slug: str) -> Workspace:
    workspace = repo.workspace_by_slug(db, workspace_slug)
    if workspace is None or not repo.membership(db, workspace.id, record.user_id):
        raise NotFound(f"workspace {workspace_slug!r} not found")
    record.workspace_id = workspace.id
    return workspace


def check_team_name(db: Session, workspace_id: int, name: str, *, team_id: int | None = None) -> str:
    """A team name: not blank, at most 120 characters, not another team's name."""
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput("name: a team needs a name of 1–120 characters")
    for team in repo.teams_of_workspace(db, workspace_id):
        if team.id != team_id and team.name.casefold() == name.casefold():
            raise Conflict(f"name: a team called {name!r} already exists")
    return name


def _team(db: Session, workspace_id: int, team_id: int) -> Team:
    team = repo.team_in_workspace(db, workspace_id, team_id)
    if team is None:
        raise NotFound(f"team {team_id} not found")
    return team


def do_update_team(
    db: Session, *, workspace_id: int, team_id: int, name: str | None = None,
    member_ids: list[int] | None = None,
) -> Team:
    """Rename a team and/or replace its members (``None`` keeps that part as it is)."""
    team = _team(db, workspace_id, team_id)
    if name is not None:
        team.name = check_team_name(db, workspace_id, name, team_id=team_id)
    if member_ids is not None:
        for user_id in member_ids:
            if not repo.membership(db, workspace_id, user_id):
                raise InvalidInput(f"member_ids: user {user_id} is not a member of this workspace")
        current = set(repo.team_member_ids(db, team_id))
        wanted = set(member_ids)
        for user_id in current - wanted:
            row = db.get(TeamMember, (team_id, user_id))
            if row is not None:
                db.delete(row)
        for user_id in sorted(wanted - current):
            db.add(TeamMember(team_id=team_id, user_id=user_id))
    db.flush()
    return team


def do_delete_team(db: Session, *, workspace: Workspace, team_id: int) -> None:
    """Delete a team; refused while an escalation level still sends tickets to it.

    Its tickets stay, unassigned from the team (the foreign key sets NULL).
    """
    team = _team(db, workspace.id, team_id)
    escalation = (workspace.settings or {}).get("escalation", {})
    used_by = sorted(level for level, target in escalation.items()
                     if isinstance(target, dict) and str(target.get("team_id")) == str(team_id))
    if used_by:
        raise Conflict(f"team {team.name!r} receives escalations ({', '.join(used_by)}); change those first")
    db.delete(team)
    db.flush()


def check_member_role(db: Session, workspace_id: int, user_id: int, role: str) -> Membership:
    """The membership whose role may become ``role``: the workspace keeps at least one admin."""
    try:
        new_role = Role(role)
    except ValueError:
        raise InvalidInput(f"role is one of {', '.join(r.value for r in Role)}, not {role!r}") from None
    member = repo.membership(db, workspace_id, user_id)
    if member is None:
        raise NotFound(f"user {user_id} is not a member of this workspace")
    if member.role == Role.ADMIN.value and new_role is not Role.ADMIN:
        admins = [m for m, _ in repo.members_of_workspace(db, workspace_id) if m.role == Role.ADMIN.value]
        if len(admins) <= 1:
            raise Conflict("role: the workspace needs at least one admin")
    return member


def do_set_member_role(db: Session, *, workspace_id: int, user_id: int, role: str) -> Membership:
    """Make a member an agent, supervisor or admin."""
    member = check_member_role(db, workspace_id, user_id, role)
    member.role = Role(role).value
    db.flush()
    return member


def do_invite_member(
    db: Session, *, workspace: Workspace, email: str, name: str = "", role: str = "agent",
    password: str | None = None,
) -> Membership:
    """Add a person to the workspace by email: an existing account, or a new one with a password.

    Refused when the person already belongs here (their role is changed with
    `do_set_member_role` instead, so an invite never demotes an admin silently).
    """
    try:
        new_role = Role(role)
    except ValueError:
        raise InvalidInput(f"role is one of {', '.join(r.value for r in Role)}, not {role!r}") from None
    user = repo.user_by_email(db, email.strip().lower())
    if user is None:
        if not password:
            raise InvalidInput("password: a new account needs a password of at least 8 characters")
        user = do_create_user(db, email=email, name=name, password=password)
    elif repo.membership(db, workspace.id, user.id):
        raise Conflict(f"email: {user.email} is already a member of this workspace")
    return do_add_member(db, workspace=workspace, user=user, role=new_role)
