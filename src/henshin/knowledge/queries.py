"""Reads of the knowledge base: agents' lists and search, and the public self-service pages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from henshin.kit.errors import InvalidInput, NotFound
from henshin.knowledge import repository as repo
from henshin.knowledge.schemas import ArticleList, ArticleOut
from henshin.models import Article
from henshin.understand.normalize import fold

MAX_PAGE = 200


def public_path(workspace_slug: str, article: Article) -> str:
    """Where a published article is read without logging in."""
    return f"/kb/{workspace_slug}/{article.slug}"


def article_out(article: Article, workspace_slug: str) -> ArticleOut:
    return ArticleOut(
        id=article.id,
        slug=article.slug,
        language=article.language,
        title=article.title,
        body=article.body,
        tags=list(article.tags or []),
        published=article.published,
        public_url=public_path(workspace_slug, article) if article.published else None,
        created_at=article.created_at,
        updated_at=article.updated_at,
    )


def search_words(q: str | None) -> list[str]:
    """The folded words of a query: full/half width, katakana/hiragana and case all match."""
    return fold(q.strip()).split() if q and q.strip() else []


def search_articles(
    db: Session,
    workspace_id: int,
    *,
    q: str | None = None,
    language: str | None = None,
    published_only: bool = False,
    tag: str | None = None,
    limit: int = 50,
    offset: int = 0,
    published: bool | None = None,
) -> list[Article]:
    """Articles matching every word of ``q``; title matches first, then newest.

    ``published`` True / False keeps only published / draft articles (None: both).
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise InvalidInput("offset cannot be negative")
    words = search_words(q)
    query = repo.filtered(
        workspace_id, folded_words=words, language=language, published_only=published_only,
        tag=fold(tag.strip()) if tag else None, published=published,
    )
    articles = repo.list_articles(db, query, limit, offset)
    if words:
        articles.sort(key=lambda a: -sum(w in fold(a.title) for w in words))
    return articles


def list_articles(
    db: Session,
    workspace_id: int,
    workspace_slug: str,
    *,
    q: str | None = None,
    language: str | None = None,
    published_only: bool = False,
    tag: str | None = None,
    limit: int = 50,
    offset: int = 0,
    published: bool | None = None,
) -> ArticleList:
    """One page of articles for the agents' API, with the total count (the filter runs in
    the query, so ``total`` and the pages agree)."""
    items = search_articles(
        db, workspace_id, q=q, language=language, published_only=published_only, tag=tag,
        limit=limit, offset=offset, published=published,
    )
    total = repo.count(
        db,
        repo.filtered(
            workspace_id, folded_words=search_words(q), language=language,
            published_only=published_only, tag=fold(tag.strip()) if tag else None,
            published=published,
        ),
    )
    return ArticleList(items=[article_out(a, workspace_slug) for a in items], total=total)


def public_article(db: Session, workspace_id: int, slug: str) -> Article:
    """A published article by slug, or ``NotFound`` (drafts are never public)."""
    article = repo.article_by_slug(db, workspace_id, slug)
    if article is None or not article.published:
        raise NotFound(f"article {slug!r} not found")
    return article
