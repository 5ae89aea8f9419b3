"""Typed dependencies: the database session and the authenticated caller."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from henshin.db.session import Database
from henshin.events.bus import Actor
from henshin.kit.errors import Forbidden, Unauthorized
from henshin.kit.secrets import token_digest
from henshin.kit.time import utc_now
from henshin.models import ApiToken, User, UserSession, Workspace
from henshin.models.workspace import Role
from henshin.workspaces import repository as ws_repo

SESSION_COOKIE = "henshin_session"
CSRF_HEADER = "x-csrf-token"
WORKSPACE_HEADER = "x-henshin-workspace"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_db(request: Request) -> Iterator[Session]:
    session = get_database(request).sessions()
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db)]


@dataclass
class Caller:
    """Who is calling, in which workspace, with which role."""

    user: User
    workspace: Workspace
    role: Role
    via: str  # "session" or "token"
    session: UserSession | None = None
    token: ApiToken | None = None

    @property
    def workspace_id(self) -> int:
        return self.workspace.id

    @property
    def user_id(self) -> int:
        return self.user.id

    @property
    def actor(self) -> Actor:
        """This caller as the actor named in history, events and logs."""
        return Actor.user(self.user.id, self.user.name)

    def require(self, role: Role) -> None:
        if self.role.rank < role.rank:
            raise Forbidden(f"this needs the {role.value} role; you are {self.role.value}")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def load_session(db: Session, request: Request) -> UserSession | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    record = ws_repo.session_by_digest(db, token_digest(raw))
    if record is None or record.revoked_at is not None or record.expires_at <= utc_now():
        return None
    return record


async def check_csrf(request: Request, record: UserSession) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token (header or form)."""
    if request.method in SAFE_METHODS:
        return
    supplied = request.headers.get(CSRF_HEADER)
    if supplied is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        supplied = value if isinstance(value, str) else None
    if not supplied or not hmac.compare_digest(supplied, record.csrf_token):
        raise Forbidden("missing or wrong CSRF token; reload the page and try again")


async def get_caller(request: Request, db: DbSession) -> Caller:
    token = _bearer(request)
    if token is not None:
        record = ws_repo.token_by_digest(db, token_digest(token))
        if record is None or record.revoked_at is not None:
            raise Unauthorized("the API token is unknown or revoked")
        user = ws_repo.user_by_id(db, record.user_id)
        workspace = ws_repo.workspace_by_id(db, record.workspace_id)
        member = ws_repo.membership(db, record.workspace_id, record.user_id)
        if user is None or workspace is None or member is None:
            raise Unauthorized("the API token's user is no longer a member")
        return Caller(user, workspace, Role(member.role), "token", token=record)
    session_record = load_session(db, request)
    if session_record is None:
        raise Unauthorized("log in, or send 'Authorization: Bearer <token>'")
    await check_csrf(request, session_record)
    user = ws_repo.user_by_id(db, session_record.user_id)
    if user is None:
        raise Unauthorized("log in again")
    slug = request.headers.get(WORKSPACE_HEADER) or request.query_params.get("workspace")
    workspace = (
        ws_repo.workspace_by_slug(db, slug)
        if slug
        else ws_repo.workspace_by_id(db, session_record.workspace_id or 0)
    )
    member = ws_repo.membership(db, workspace.id, user.id) if workspace else None
    if workspace is None or member is None:
        raise Forbidden("you are not a member of that workspace")
    return Caller(user, workspace, Role(member.role), "session", session=session_record)


CurrentCaller = Annotated[Caller, Depends(get_caller)]
