"""Request and response shapes of knowledge-base articles."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ArticleLanguage = Literal["ja", "en"]


class ArticleIn(BaseModel):
    """A new article. Without a slug one is made from the title (or ``article-<id>``)."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=50_000)
    language: ArticleLanguage
    slug: str | None = Field(default=None, max_length=120)
    tags: list[str] = Field(default_factory=list, max_length=30)
    published: bool = False


class ArticleUpdate(BaseModel):
    """Fields to change; the ones left out keep their value."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=50_000)
    language: ArticleLanguage | None = None
    slug: str | None = Field(default=None, max_length=120)
    tags: list[str] | None = Field(default=None, max_length=30)
    published: bool | None = None


class ArticleOut(BaseModel):
    id: int
    slug: str
    language: str
    title: str
    body: str
    tags: list[str]
    published: bool
    public_url: str | None = Field(
        description="Path of the public page (only for published articles)"
    )
    created_at: datetime
    updated_at: datetime


class ArticleList(BaseModel):
    items: list[ArticleOut]
    total: int
