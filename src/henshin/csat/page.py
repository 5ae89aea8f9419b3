"""The public survey page ``/csat/{token}``: no login, in the customer's language.

The form is protected by a double-submit token: the page sets a random cookie
(SameSite=Strict) and repeats it in a hidden field; a post whose field and cookie differ
is refused, so another site cannot answer in the customer's name.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from henshin.csat.actions import check_answer, do_answer, survey_for_token
from henshin.kit.errors import Conflict, HenshinError, InvalidInput
from henshin.kit.time import utc_now
from henshin.web.deps import DbSession
from henshin.web.ui.i18n import LANGUAGES, translator
from henshin.web.ui.rendering import render

router = APIRouter(include_in_schema=False)
FORM_COOKIE = "henshin_csat_form"


def _page(request: Request, lang: str, state: str, *, status: int = 200, token: str = "",
          form_token: str = "", error: str | None = None, score: int | None = None) -> HTMLResponse:
    response = render(request, "csat/survey.html", {
        "lang": lang, "t": translator(lang), "state": state, "token": token, "form_token": form_token,
        "error": error, "score": score,
    }, status_code=status)
    if form_token:
        response.set_cookie(FORM_COOKIE, form_token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path=f"/csat/{token}")
    return response


def _lang(request: Request, default: str) -> str:
    chosen = request.query_params.get("lang")
    return chosen if chosen in LANGUAGES else default


@router.get("/csat/{token}", response_class=HTMLResponse)
def survey_page(token: str, request: Request, db: DbSession) -> HTMLResponse:
    """The question, or a note that the link is unknown, expired or already answered."""
    try:
        survey = survey_for_token(db, token)
    except HenshinError:
        return _page(request, _lang(request, "ja"), "unknown", status=404)
    lang = _lang(request, survey.language)
    if survey.responded_at is not None:
        return _page(request, lang, "answered", status=409)
    if survey.expires_at <= utc_now():
        return _page(request, lang, "expired", status=410)
    return _page(request, lang, "ask", token=token, form_token=secrets.token_urlsafe(24))


@router.post("/csat/{token}", response_class=HTMLResponse)
async def survey_answer(token: str, request: Request, db: DbSession) -> HTMLResponse:
    """Take the one answer: a score 1–5 and an optional comment."""
    form = await request.form()
    try:
        survey = survey_for_token(db, token)
    except HenshinError:
        return _page(request, _lang(request, "ja"), "unknown", status=404)
    lang = _lang(request, survey.language)
    supplied = str(form.get("form_token") or "")
    cookie = request.cookies.get(FORM_COOKIE, "")
    if not supplied or not hmac.compare_digest(supplied, cookie):
        return _page(request, lang, "ask", status=403, token=token, form_token=secrets.token_urlsafe(24),
                     error=translator(lang)("csat.error.form"))
    try:
        score, comment = check_answer(form.get("score"), form.get("comment"))
        do_answer(db, survey, score=score, comment=comment)
        db.commit()
    except InvalidInput:
        return _page(request, lang, "ask", status=422, token=token, form_token=secrets.token_urlsafe(24),
                     error=translator(lang)("csat.error.score"))
    except Conflict:
        db.rollback()
        state = "answered" if survey.responded_at is not None or survey.expires_at > utc_now() else "expired"
        return _page(request, lang, state, status=409 if state == "answered" else 410)
    return _page(request, lang, "thanks", score=score)
