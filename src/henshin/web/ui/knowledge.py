"""The public, read-only knowledge base of each workspace: ``/kb/{workspace_slug}``.

Self-service for customers: published articles only, searchable in Japanese and English
(width, kana and case folded), no login. ``?lang=ja|en`` picks the page language and the
articles listed; without it the browser's language decides.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from henshin.kit.errors import NotFound
from henshin.knowledge.queries import public_article, search_articles
from henshin.web.deps import DbSession
from henshin.web.ui.i18n import LANGUAGES, pick_language, translator
from henshin.web.ui.rendering import render
from henshin.workspaces import repository as ws_repo

router = APIRouter(include_in_schema=False)


def _language(request: Request, workspace_locale: str | None) -> str:
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return pick_language(request, None, workspace_locale)


def _workspace(db: DbSession, slug: str):  # type: ignore[no-untyped-def]
    workspace = ws_repo.workspace_by_slug(db, slug)
    if workspace is None:
        raise NotFound(f"no knowledge base called {slug!r}")
    return workspace


@router.get("/kb/{workspace_slug}", response_class=HTMLResponse)
def public_index(workspace_slug: str, request: Request, db: DbSession, q: str | None = None) -> HTMLResponse:
    """The list of published articles in the page's language, or the search results."""
    workspace = _workspace(db, workspace_slug)
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
    """One published article (drafts answer 404)."""
    workspace = _workspace(db, workspace_slug)
    article = public_article(db, workspace.id, article_slug)
    lang = _language(request, article.language)
    return render(request, "kb/public_article.html", {
        "brand": workspace, "article": article, "lang": lang, "t": translator(lang),
    })
