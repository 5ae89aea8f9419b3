"""The caller's workspace: members, teams and API tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from henshin.models.workspace import Role
from henshin.web.deps import CurrentCaller, DbSession
from henshin.workspaces import actions as ws_actions
from henshin.workspaces import repository as ws_repo

router = APIRouter(prefix="/workspace", tags=["workspace"])


class MemberOut(BaseModel):
    user_id: int
    email: str
    name: str
    role: str
    availability: str
    team_ids: list[int]


class TeamOut(BaseModel):
    id: int
    name: str
    member_ids: list[int]


class WorkspaceOut(BaseModel):
    id: int
    slug: str
    name: str
    timezone: str
    locale: str
    members: list[MemberOut]
    teams: list[TeamOut]


@router.get("", response_model=WorkspaceOut)
def get_workspace(caller: CurrentCaller, db: DbSession) -> WorkspaceOut:
    ws = caller.workspace
    teams = [
        TeamOut(id=t.id, name=t.name, member_ids=ws_repo.team_member_ids(db, t.id))
        for t in ws_repo.teams_of_workspace(db, ws.id)
    ]
    members = [
        MemberOut(
            user_id=u.id, email=u.email, name=u.name, role=m.role, availability=u.availability,
            team_ids=[t.id for t in teams if u.id in t.member_ids],
        )
        for m, u in ws_repo.members_of_workspace(db, ws.id)
    ]
    return WorkspaceOut(
        id=ws.id, slug=ws.slug, name=ws.name, timezone=ws.timezone, locale=ws.locale,
        members=members, teams=teams,
    )


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    member_ids: list[int] = Field(default_factory=list)


@router.post("/teams", response_model=TeamOut, status_code=201)
def create_team(body: TeamIn, caller: CurrentCaller, db: DbSession) -> TeamOut:
    caller.require(Role.SUPERVISOR)
    team = ws_actions.do_create_team(
        db, workspace_id=caller.workspace_id, name=body.name, member_ids=body.member_ids
    )
    db.commit()
    return TeamOut(id=team.id, name=team.name, member_ids=ws_repo.team_member_ids(db, team.id))


class TeamUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    member_ids: list[int] | None = None


@router.patch("/teams/{team_id}", response_model=TeamOut)
def update_team(team_id: int, body: TeamUpdate, caller: CurrentCaller, db: DbSession) -> TeamOut:
    """Rename a team and/or replace its members (only the keys sent change)."""
    caller.require(Role.SUPERVISOR)
    team = ws_actions.do_update_team(
        db, workspace_id=caller.workspace_id, team_id=team_id, name=body.name, member_ids=body.member_ids
    )
    db.commit()
    return TeamOut(id=team.id, name=team.name, member_ids=ws_repo.team_member_ids(db, team.id))


@router.delete("/teams/{team_id}", status_code=204)
def delete_team(team_id: int, caller: CurrentCaller, db: DbSession) -> None:
    """Delete a team (refused while an escalation level points at it)."""
    caller.require(Role.SUPERVISOR)
    ws_actions.do_delete_team(db, workspace=caller.workspace, team_id=team_id)
    db.commit()


class MemberIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    name: str = Field(default="", max_length=200)
    role: str = "agent"
    password: str | None = Field(default=None, description="only for a person without an account yet")


class RoleIn(BaseModel):
    role: str


def _member_out(db: DbSession, workspace_id: int, user_id: int) -> MemberOut:
    member = ws_repo.membership(db, workspace_id, user_id)
    user = ws_repo.user_by_id(db, user_id)
    assert member is not None and user is not None
    return MemberOut(user_id=user.id, email=user.email, name=user.name, role=member.role,
                     availability=user.availability,
                     team_ids=ws_repo.team_ids_of_user(db, workspace_id, user_id))


@router.post("/members", response_model=MemberOut, status_code=201)
def add_member(body: MemberIn, caller: CurrentCaller, db: DbSession) -> MemberOut:
    """Add a person by email (an existing account, or a new one when a password is given)."""
    caller.require(Role.ADMIN)
    member = ws_actions.do_invite_member(db, workspace=caller.workspace, email=body.email, name=body.name,
                                         role=body.role, password=body.password)
    db.commit()
    return _member_out(db, caller.workspace_id, member.user_id)


@router.patch("/members/{user_id}", response_model=MemberOut)
def set_member_role(user_id: int, body: RoleIn, caller: CurrentCaller, db: DbSession) -> MemberOut:
    """Change a member's role (the workspace keeps at least one admin)."""
    caller.require(Role.ADMIN)
    ws_actions.do_set_member_role(db, workspace_id=caller.workspace_id, user_id=user_id, role=body.role)
    db.commit()
    return _member_out(db, caller.workspace_id, user_id)


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    token: str | None = None  # only in the response that creates it


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(body: TokenIn, caller: CurrentCaller, db: DbSession) -> TokenOut:
    caller.require(Role.ADMIN)
    issued = ws_actions.do_create_api_token(
        db, workspace_id=caller.workspace_id, user_id=caller.user_id, name=body.name
    )
    db.commit()
    r = issued.record
    return TokenOut(id=r.id, name=r.name, prefix=r.prefix, created_at=r.created_at, revoked_at=None, token=issued.token)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(caller: CurrentCaller, db: DbSession) -> list[TokenOut]:
    caller.require(Role.ADMIN)
    return [
        TokenOut(id=r.id, name=r.name, prefix=r.prefix, created_at=r.created_at, revoked_at=r.revoked_at)
        for r in ws_repo.tokens_of_workspace(db, caller.workspace_id)
    ]


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, caller: CurrentCaller, db: DbSession) -> None:
    caller.require(Role.ADMIN)
    ws_actions.do_revoke_api_token(db, workspace_id=caller.workspace_id, token_id=token_id)
    db.commit()
