"""Page rendering: the Jinja environment, the page-auth dependency and ``render``.

Every UI area renders through ``render(request, "area/page.html", {...})``, which adds
the current person, workspace, CSRF token, language and ``t(key)`` to the context.
Pages declare ``caller: PageCaller``: without a valid session the browser is sent to
``/login?next=…`` instead of getting a JSON 401.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from henshin.kit.errors import Unauthorized
from henshin.kit.time import as_utc, utc_now
from henshin.web.deps import Caller, DbSession, get_caller
from henshin.web.ui.i18n import LANGUAGES, catalog, pick_language, translator

# Keys the browser script needs (errors, live notices, composer states).
CLIENT_PREFIXES = ("core.error.", "live.", "ticket.", "inbox.selected")

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

environment = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def zone_of(name: str | None) -> ZoneInfo:
    """The workspace's time zone (UTC when the name is unknown)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(value: datetime | None, zone: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``value`` shown in the workspace's zone."""
    if value is None:
        return ""
    return as_utc(value).astimezone(zone).strftime(fmt)


def duration_text(seconds: float, lang: str) -> str:
    """A short waiting time: 45s, 12m, 3h, 2d (秒/分/時間/日 in Japanese)."""
    seconds = max(0, int(seconds))
    units = (("d", "日", 86400), ("h", "時間", 3600), ("m", "分", 60))
    for en, ja, size in units:
        if seconds >= size:
            amount = seconds // size
            return f"{amount}{ja}" if lang == "ja" else f"{amount}{en}"
    return f"{seconds}秒" if lang == "ja" else f"{seconds}s"


class LoginRequired(HTTPException):
    """Raised by the page dependency; becomes a redirect to the login page."""

    def __init__(self, target: str) -> None:
        super().__init__(status_code=303, headers={"Location": target, "HX-Redirect": target})


async def get_page_caller(request: Request, db: DbSession) -> Caller:
    """The logged-in person for a page, or a redirect to ``/login?next=<this page>``."""
    try:
        return await get_caller(request, db)
    except Unauthorized as exc:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        raise LoginRequired("/login?next=" + quote(target, safe="")) from exc


PageCaller = Annotated[Caller, Depends(get_page_caller)]


def page_context(request: Request, caller: Caller | None) -> dict[str, Any]:
    """What every template can use: who, where, the language and ``t``."""
    lang = pick_language(
        request,
        caller.user.locale if caller else None,
        caller.workspace.locale if caller else None,
    )
    zone = zone_of(caller.workspace.timezone if caller else None)
    return {
        "request": request,
        "caller": caller,
        "user": caller.user if caller else None,
        "workspace": caller.workspace if caller else None,
        "role": caller.role.value if caller else None,
        "csrf_token": caller.session.csrf_token if caller and caller.session else "",
        "lang": lang,
        "languages": LANGUAGES,
        "t": translator(lang),
        "zone": zone,
        "now": utc_now(),
        "local_time": lambda value, fmt="%Y-%m-%d %H:%M": local_time(value, zone, fmt),
        "duration": lambda seconds: duration_text(seconds, lang),
        "path": request.url.path,
        "client_strings": client_strings(lang),
    }


@lru_cache(maxsize=len(LANGUAGES))
def client_strings(lang: str) -> dict[str, str]:
    """The translations ``henshin.js`` uses, embedded in every page as JSON."""
    t = translator(lang)
    keys = [k for k in catalog("en") if k.startswith(CLIENT_PREFIXES)]
    return {k: t(k) for k in keys}


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    caller: Caller | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` with the page context (caller, workspace, csrf, lang, ``t``)."""
    values = page_context(request, caller)
    values.update(context or {})
    if caller is not None and "workspaces" not in values and template_is_page(template):
        values["workspaces"] = workspaces_of(request, caller)
    html = environment.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code, headers=headers)


@lru_cache(maxsize=256)
def template_is_page(template: str) -> bool:
    """Whether a template is a whole page (extends the base) rather than a fragment."""
    source = (TEMPLATE_DIR / template).read_text(encoding="utf-8")
    return "{% extends" in source


def workspaces_of(request: Request, caller: Caller) -> list[tuple[str, str]]:
    """(slug, name) of every workspace the person belongs to, for the switcher."""
    from henshin.views.queries import workspaces_of_user

    database = request.app.state.database
    with database.sessions() as db:
        return workspaces_of_user(db, caller.user_id)
