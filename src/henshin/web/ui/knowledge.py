"""Knowledge-base pages: the agents' ``/kb`` and the public ``/kb/{workspace_slug}``.

``/kb`` lists and searches the workspace's articles (published and drafts) with an
editor beside the list (``?edit=<id>`` or ``?edit=new``); supervisors and admins write,
publish and delete, agents read. The public pages are self-service for customers:
published articles only, searchable in Japanese and English (width, kana and case
folded), no login; ``?lang=ja|en`` picks the page language, otherwise the browser's
language decides. A missing or unpublished public page answers an HTML 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from henshin.kit.errors import NotFound
from henshin.knowledge import actions
from henshin.knowledge import repository as repo
from henshin.knowledge.queries import article_out, list_articles, public_article, search_articles
from henshin.knowledge.schemas import ArticleIn, ArticleUpdate
from henshin.models import Article
from henshin.models.workspace import Role
from henshin.web.deps import Caller, DbSession
from henshin.web.ui.forms import apply_form, page_offset, tag_list
from henshin.web.ui.i18n import LANGUAGES, pick_language, translator
from henshin.web.ui.rendering import PageCaller, render
from henshin.workspaces import repository as ws_repo

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
STATUSES = {"published": True, "draft": False}


def _language(request: Request, workspace_locale: str | None) -> str:
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return pick_language(request, None, workspace_locale)


def _missing(request: Request, slug: str | None, lang: str) -> HTMLResponse:
    return render(request, "kb/public_missing.html", {"slug": slug, "lang": lang, "t": translator(lang)},
                  status_code=404)


@router.get("/kb/{workspace_slug}", response_class=HTMLResponse)
def public_index(workspace_slug: str, request: Request, db: DbSession, q: str | None = None) -> HTMLResponse:
    """The list of published articles in the page's language, or the search results."""
    workspace = ws_repo.workspace_by_slug(db, workspace_slug)
    if workspace is None:
        return _missing(request, None, _language(request, None))
    lang = _language(request, workspace.locale)
    articles = search_articles(db, workspace.id, q=q, language=lang, published_only=True, limit=200)
    if q and not articles:  # the answer may exist in the other language only
        articles = search_articles(db, workspace.id, q=q, published_only=True, limit=200)
    return render(request, "kb/public_index.html", {
        "brand": workspace, "articles": articles, "q": (q or "").strip(),
        "lang": lang, "t": translator(lang),
    })


@router.get("/kb/{workspace_slug}/{article_slug}", response_class=HTMLResponse)
def public_article_page(workspace_slug: str, article_slug: str, request: Request, db: DbSession) -> HTMLResponse:
    """One published article (drafts and unknown addresses answer an HTML 404)."""
    workspace = ws_repo.workspace_by_slug(db, workspace_slug)
    if workspace is None:
        return _missing(request, None, _language(request, None))
    try:
        article = public_article(db, workspace.id, article_slug)
    except NotFound:
        return _missing(request, workspace.slug, _language(request, workspace.locale))
    lang = _language(request, article.language)
    return render(request, "kb/public_article.html", {
        "brand": workspace, "article": article, "lang": lang, "t": translator(lang),
    })



def _form_values(form: Any) -> dict[str, Any]:
    return {
        "title": str(form.get("title") or "").strip(),
        "body": str(form.get("body") or ""),
        "language": str(form.get("language") or "ja"),
        "slug": str(form.get("slug") or "").strip() or None,
        "tags": tag_list(form.get("tags")),
        "published": str(form.get("published") or "") == "1",
    }


def _manage_page(
    request: Request,
    caller: Caller,
    db: DbSession,
    *,
    editing: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    params = request.query_params
    q = params.get("q") or None
    status = params.get("status") if params.get("status") in STATUSES else None
    language = params.get("language") if params.get("language") in LANGUAGES else None
    offset = page_offset(params.get("offset"))
    listing = list_articles(
        db, caller.workspace_id, caller.workspace.slug, q=q, language=language,
        published=STATUSES.get(status or ""), limit=PAGE_SIZE, offset=offset,
    )
    edit = params.get("edit")
    if editing is None and edit:
        if edit == "new":
            editing = {"id": None, "title": "", "body": "", "language": caller.workspace.locale or "ja",
                       "slug": "", "tags": [], "published": False}
        elif edit.isdigit():
            editing = article_out(repo.get_article(db, caller.workspace_id, int(edit)),
                                  caller.workspace.slug).model_dump()
    keep = {k: v for k, v in {"q": q, "status": status, "language": language}.items() if v}
    return render(request, "kb/manage.html", {
        "listing": listing, "q": q or "", "status": status, "language": language, "offset": offset,
        "page_size": PAGE_SIZE, "editing": editing, "errors": errors or [], "keep": urlencode(keep),
        "may_write": caller.role.rank >= Role.SUPERVISOR.rank,
        "saved": params.get("saved") == "1", "deleted": params.get("deleted") == "1",
    }, caller=caller, status_code=status_code)


@router.get("/kb")
def manage_page(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """The workspace's articles for agents: search, filters, and the editor (``?edit=``)."""
    return _manage_page(request, caller, db)


@router.post("/kb")
async def create_article(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Create an article from the editor's form (supervisors and admins)."""
    values = _form_values(await request.form())

    def create() -> Article:
        caller.require(Role.SUPERVISOR)
        return actions.do_create_article(db, workspace_id=caller.workspace_id, actor=caller.actor,
                                         data=ArticleIn(**values))

    return apply_form(db, create, show=lambda errors, status: _manage_page(
        request, caller, db, editing={"id": None, **values}, errors=errors, status_code=status),
        done=lambda outcome: RedirectResponse(f"/kb?edit={outcome.id}&saved=1", status_code=303))


@router.post("/kb/articles/{article_id}")
async def update_article(article_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Save the editor's changes to one article (supervisors and admins)."""
    article = repo.get_article(db, caller.workspace_id, article_id)
    values = _form_values(await request.form())

    def update() -> None:
        caller.require(Role.SUPERVISOR)
        actions.do_update_article(db, article, actor=caller.actor, data=ArticleUpdate(**values))

    return apply_form(db, update, show=lambda errors, status: _manage_page(
        request, caller, db, editing={"id": article_id, **values}, errors=errors, status_code=status),
        done=lambda _: RedirectResponse(f"/kb?edit={article_id}&saved=1", status_code=303))


@router.post("/kb/articles/{article_id}/publish")
def toggle_published(article_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Publish a draft, or take a published article off the public help centre."""
    article = repo.get_article(db, caller.workspace_id, article_id)

    def toggle() -> None:
        caller.require(Role.SUPERVISOR)
        actions.do_update_article(db, article, actor=caller.actor, data=ArticleUpdate(published=not article.published))

    return apply_form(db, toggle, show=lambda errors, status: _manage_page(
        request, caller, db, errors=errors, status_code=status),
        done=lambda _: RedirectResponse(f"/kb?edit={article_id}&saved=1", status_code=303))


@router.post("/kb/articles/{article_id}/delete")
def delete_article(article_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Delete an article (supervisors and admins)."""
    article = repo.get_article(db, caller.workspace_id, article_id)

    def delete() -> None:
        caller.require(Role.SUPERVISOR)
        actions.do_delete_article(db, article, actor=caller.actor)

    return apply_form(db, delete, show=lambda errors, status: _manage_page(
        request, caller, db, errors=errors, status_code=status),
        done=lambda _: RedirectResponse("/kb?deleted=1", status_code=303))
