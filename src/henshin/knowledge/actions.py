"""Writing knowledge-base articles: ``check_*`` validates, ``do_*`` writes and publishes.

Nothing here commits. Every change publishes ``article.changed`` so the suggestion index
of the workspace follows it (see :mod:`henshin.replies.listeners`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy.orm import Session

from henshin.events.bus import Actor, ActorType, Event, publish
from henshin.events.names import EventName
from henshin.kit.errors import Conflict, InvalidInput
from henshin.kit.tags import check_tags
from henshin.kit.time import utc_now
from henshin.knowledge import repository as repo
from henshin.knowledge.schemas import ArticleIn, ArticleUpdate
from henshin.models import Article
from henshin.understand.normalize import fold

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?$")
LANGUAGES = ("ja", "en")


def search_text_of(title: str, body: str, tags: Iterable[str]) -> str:
    """The folded form articles are searched on (tags as ``#tag``)."""
    return "\n".join([fold(title), fold(body), " ".join(f"#{fold(t)}" for t in tags)])


def check_slug(db: Session, workspace_id: int, slug: str, *, article_id: int | None = None) -> str:
    """A lowercase URL slug (a-z, 0-9, '-') not used by another article of the workspace."""
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise InvalidInput(
            f"slug {slug!r} must be 1-120 lowercase letters, digits or '-' (not at either end)"
        )
    existing = repo.article_by_slug(db, workspace_id, slug)
    if existing is not None and existing.id != article_id:
        raise Conflict(f"another article already uses the slug {slug!r}")
    return slug


def slug_from_title(title: str) -> str:
    """An ASCII slug from a title ("Shipping times" → "shipping-times"); '' for Japanese."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80].strip("-")


def do_create_article(db: Session, *, workspace_id: int, actor: Actor, data: ArticleIn) -> Article:
    """Create an article (a slug is made from the title when none is given)."""
    tags = check_tags(data.tags)
    title, body = data.title.strip(), data.body.strip()
    if not title or not body:
        raise InvalidInput("an article needs a title and a body")
    slug = check_slug(db, workspace_id, data.slug) if data.slug else None
    if slug is None:
        candidate = slug_from_title(title)
        if candidate and repo.article_by_slug(db, workspace_id, candidate) is None:
            slug = candidate
    now = utc_now()
    article = Article(
        workspace_id=workspace_id,
        slug=slug or f"tmp-{now.timestamp()}",
        language=data.language,
        title=title,
        body=body,
        tags=tags,
        published=data.published,
        search_text=search_text_of(title, body, tags),
        created_by=actor.id if actor.type is ActorType.USER else None,
        created_at=now,
        updated_at=now,
    )
    db.add(article)
    db.flush()
    if slug is None:
        article.slug = f"article-{article.id}"
        db.flush()
    _publish(db, article, actor, "created")
    return article


def do_update_article(db: Session, article: Article, *, actor: Actor, data: ArticleUpdate) -> Article:
    """Change the given fields of an article."""
    if data.title is not None:
        article.title = data.title.strip() or article.title
    if data.body is not None:
        if not data.body.strip():
            raise InvalidInput("an article's body cannot be blank")
        article.body = data.body.strip()
    if data.language is not None:
        article.language = data.language
    if data.slug is not None:
        article.slug = check_slug(db, article.workspace_id, data.slug, article_id=article.id)
    if data.tags is not None:
        article.tags = check_tags(data.tags)
    if data.published is not None:
        article.published = data.published
    article.search_text = search_text_of(article.title, article.body, article.tags)
    article.updated_at = utc_now()
    db.flush()
    _publish(db, article, actor, "updated")
    return article


def do_delete_article(db: Session, article: Article, *, actor: Actor) -> None:
    """Delete an article (its public page disappears with it)."""
    _publish(db, article, actor, "deleted")
    db.delete(article)
    db.flush()


def _publish(db: Session, article: Article, actor: Actor, change: str) -> None:
    publish(
        db,
        Event(
            name=EventName.ARTICLE_CHANGED,
            workspace_id=article.workspace_id,
            actor=actor,
            payload={"article_id": article.id, "change": change},
        ),
    )
