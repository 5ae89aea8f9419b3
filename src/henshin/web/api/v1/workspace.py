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
