"""Log in and out, switch workspace, switch UI language (form posts, then redirects)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from henshin.kit.errors import Unauthorized
from henshin.web.api.v1.auth import set_session_cookie
from henshin.web.deps import SESSION_COOKIE, DbSession, load_session
from henshin.web.ui.i18n import LANG_COOKIE, LANGUAGES
from henshin.web.ui.rendering import PageCaller, render
from henshin.workspaces import actions as ws_actions

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None, default: str = "/inbox") -> str:
    """Only same-site paths: never redirect a person to another site after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@router.get("/")
def home() -> Response:
    return RedirectResponse("/inbox", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str = "/inbox") -> Response:  # noqa: A002
    return render(request, "auth/login.html", {"next": safe_next(next), "email": "", "error": None})


@router.post("/login")
def login_submit(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=500)],
    next: Annotated[str, Form()] = "/inbox",  # noqa: A002
) -> Response:
    try:
        user = ws_actions.check_login(db, email, password)
    except Unauthorized:
        from henshin.web.ui.rendering import page_context

        t = page_context(request, None)["t"]
        return render(
            request, "auth/login.html",
            {"next": safe_next(next), "email": email, "error": t("core.login.failed")},
            status_code=401,
        )
    issued = ws_actions.do_start_session(db, user=user)
    db.commit()
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, issued.token)
    return response


@router.post("/logout")
def logout(request: Request, caller: PageCaller, db: DbSession) -> Response:
    record = load_session(db, request)
    if record is not None:
        ws_actions.do_end_session(db, record=record)
        db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/workspace")
def switch_workspace(
    request: Request, caller: PageCaller, db: DbSession, slug: Annotated[str, Form(max_length=64)]
) -> Response:
    record = load_session(db, request)
    if record is None:
        return RedirectResponse("/login", status_code=303)
    ws_actions.do_switch_workspace(db, record=record, workspace_slug=slug)
    db.commit()
    return RedirectResponse("/inbox", status_code=303)


@router.post("/language")
def switch_language(
    lang: Annotated[str, Form(max_length=8)], next: Annotated[str, Form()] = "/inbox"  # noqa: A002
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response
