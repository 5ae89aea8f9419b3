"""Every select() over knowledge-base articles."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from henshin.kit.errors import NotFound
from henshin.models import Article


def get_article(db: Session, workspace_id: int, article_id: int) -> Article:
    """The workspace's article or ``NotFound``."""
    article = db.scalar(
        select(Article).where(Article.id == article_id, Article.workspace_id == workspace_id)
    )
    if article is None:
        raise NotFound(f"article {article_id} not found")
    return article


def article_by_slug(db: Session, workspace_id: int, slug: str) -> Article | None:
    return db.scalar(
        select(Article).where(Article.workspace_id == workspace_id, Article.slug == slug)
    )


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filtered(
    workspace_id: int,
    *,
    folded_words: Sequence[str] = (),
    language: str | None = None,
    published_only: bool = False,
    tag: str | None = None,
    published: bool | None = None,
) -> Select[tuple[Article]]:
    """Articles of a workspace by language, words, tag and publication (``published``:
    True / False keeps only published / draft articles; ``published_only`` is True's alias)."""
    query = select(Article).where(Article.workspace_id == workspace_id)
    if language:
        query = query.where(Article.language == language)
    if published_only:
        published = True
    if published is not None:
        query = query.where(Article.published.is_(published))
    for word in folded_words:
        query = query.where(Article.search_text.like(_like(word), escape="\\"))
    if tag:
        query = query.where(Article.search_text.like(_like(f"#{tag}"), escape="\\"))
    return query


def list_articles(db: Session, query: Select[tuple[Article]], limit: int, offset: int = 0) -> list[Article]:
    ordered = query.order_by(Article.updated_at.desc(), Article.id.desc())
    return list(db.scalars(ordered.limit(limit).offset(offset)))


def count(db: Session, query: Select[tuple[Article]]) -> int:
    return int(db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def published_articles(db: Session, workspace_id: int) -> Sequence[Article]:
    """Every published article of a workspace (what the suggestion index holds)."""
    return db.scalars(
        select(Article).where(Article.workspace_id == workspace_id, Article.published.is_(True))
    ).all()


def articles_by_ids(db: Session, workspace_id: int, ids: Sequence[int]) -> dict[int, Article]:
    if not ids:
        return {}
    rows = db.scalars(
        select(Article).where(Article.workspace_id == workspace_id, Article.id.in_(set(ids)))
    )
    return {a.id: a for a in rows}


def published_stamp(db: Session, workspace_id: int) -> tuple[int, datetime | None, int | None]:
    """(count, last update, highest id) of published articles: changes whenever they do."""
    row = db.execute(
        select(func.count(), func.max(Article.updated_at), func.max(Article.id)).where(
            Article.workspace_id == workspace_id, Article.published.is_(True)
        )
    ).one()
    return int(row[0]), row[1], row[2]
