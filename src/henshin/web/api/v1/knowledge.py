"""Knowledge-base articles for agents: CRUD and Japanese-aware search."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from henshin.knowledge import actions
from henshin.knowledge import repository as repo
from henshin.knowledge.queries import article_out, list_articles
from henshin.knowledge.schemas import ArticleIn, ArticleList, ArticleOut, ArticleUpdate
from henshin.models.workspace import Role
from henshin.web.deps import CurrentCaller, DbSession

router = APIRouter(prefix="/kb/articles", tags=["knowledge base"])



@router.get("", response_model=ArticleList)
def get_articles(
    caller: CurrentCaller,
    db: DbSession,
    q: str | None = None,
    language: Literal["ja", "en"] | None = None,
    published: bool | None = None,
    tag: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ArticleList:
    """Articles matching every word of ``q`` (full/half width, kana and case folded);
    ``published=false`` lists drafts only, ``true`` published only."""
    return list_articles(
        db, caller.workspace_id, caller.workspace.slug, q=q, language=language,
        published=published, tag=tag, limit=limit, offset=offset,
    )


@router.post("", response_model=ArticleOut, status_code=201)
def create_article(body: ArticleIn, caller: CurrentCaller, db: DbSession) -> ArticleOut:
    caller.require(Role.SUPERVISOR)
    article = actions.do_create_article(
        db, workspace_id=caller.workspace_id, actor=caller.actor, data=body
    )
    db.commit()
    return article_out(article, caller.workspace.slug)


@router.get("/{article_id}", response_model=ArticleOut)
def get_article(article_id: int, caller: CurrentCaller, db: DbSession) -> ArticleOut:
    return article_out(repo.get_article(db, caller.workspace_id, article_id), caller.workspace.slug)


@router.patch("/{article_id}", response_model=ArticleOut)
def update_article(
    article_id: int, body: ArticleUpdate, caller: CurrentCaller, db: DbSession
) -> ArticleOut:
    caller.require(Role.SUPERVISOR)
    article = repo.get_article(db, caller.workspace_id, article_id)
    actions.do_update_article(db, article, actor=caller.actor, data=body)
    db.commit()
    return article_out(article, caller.workspace.slug)


@router.delete("/{article_id}", status_code=204)
def delete_article(article_id: int, caller: CurrentCaller, db: DbSession) -> Response:
    caller.require(Role.SUPERVISOR)
    article = repo.get_article(db, caller.workspace_id, article_id)
    actions.do_delete_article(db, article, actor=caller.actor)
    db.commit()
    return Response(status_code=204)
