"""An RSS / Atom listening source (blog search, news, Google Alerts feeds)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RssConfig(BaseModel):
    """One feed to listen to."""

    feed_url: str = Field(description="Absolute feed URL, or a path under the connector's base_url")
    name: str | None = None
