"""Log in and out with a session cookie; who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from henshin.kit.errors import Forbidden
from henshin.web.deps import SESSION_COOKIE, CurrentCaller, DbSession, load_session
from henshin.workspaces import actions as ws_actions
from henshin.workspaces import repository as ws_repo

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=500)


class WorkspaceRef(BaseModel):
    id: int
    slug: str
    name: str
    role: str
    timezone: str


class MeOut(BaseModel):
    user_id: int
    email: str
    name: str
    locale: str | None
    workspace: WorkspaceRef
    workspaces: list[WorkspaceRef]
    csrf_token: str | None


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax",
        secure=request.url.scheme == "https", max_age=14 * 24 * 3600, path="/",
    )


@router.post("/login", response_model=MeOut)
def login(body: LoginIn, request: Request, response: Response, db: DbSession) -> MeOut:
    user = ws_actions.check_login(db, body.email, body.password)
    issued = ws_actions.do_start_session(db, user=user)
    db.commit()
    set_session_cookie(request, response, issued.token)
    memberships = ws_repo.memberships_of_user(db, user.id)
    refs = [WorkspaceRef(id=w.id, slug=w.slug, name=w.name, role=m.role, timezone=w.timezone) for m, w in memberships]
    current = next((r for r in refs if r.id == issued.record.workspace_id), None)
    if current is None:
        raise Forbidden("this user belongs to no workspace yet")
    return MeOut(
        user_id=user.id, email=user.email, name=user.name, locale=user.locale,
        workspace=current, workspaces=refs, csrf_token=issued.record.csrf_token,
    )


@router.post("/logout", status_code=204)
def logout(request: Request, caller: CurrentCaller, db: DbSession) -> Response:
    record = load_session(db, request)
    if record is not None:
        ws_actions.do_end_session(db, record=record)
        db.commit()
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=MeOut)
def me(caller: CurrentCaller, db: DbSession) -> MeOut:
    memberships = ws_repo.memberships_of_user(db, caller.user_id)
    refs = [WorkspaceRef(id=w.id, slug=w.slug, name=w.name, role=m.role, timezone=w.timezone) for m, w in memberships]
    current = next(r for r in refs if r.id == caller.workspace_id)
    return MeOut(
        user_id=caller.user_id, email=caller.user.email, name=caller.user.name,
        locale=caller.user.locale, workspace=current, workspaces=refs,
        csrf_token=caller.session.csrf_token if caller.session else None,
    )
