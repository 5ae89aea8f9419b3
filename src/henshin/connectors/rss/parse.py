"""Feed documents → listening engagements (feedparser; XML entity attacks are defused)."""

from __future__ import annotations

import hashlib
import html
import re
from calendar import timegm
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import defusedxml.ElementTree as SafeXML  # type: ignore[import-untyped]
import feedparser  # type: ignore[import-untyped]

from henshin.connectors.errors import MalformedPayload
from henshin.connectors.types import Author, EngagementKind, InboundEngagement, Network

_TAGS = re.compile(r"<[^>]+>")


def unwrap_google_alerts(link: str) -> str:
    """``https://www.google.com/url?rct=j&sa=t&url=<target>&…`` → ``<target>``."""
    parsed = urlparse(link)
    if parsed.netloc.endswith("google.com") and parsed.path == "/url":
        target = parse_qs(parsed.query).get("url") or parse_qs(parsed.query).get("q")
        if target:
            return target[0]
    return link


def _external_id(value: str) -> str:
    return value if len(value) <= 255 else "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def _when(entry: Any, fallback: datetime) -> datetime:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(timegm(parsed), tz=UTC)
    return fallback


def parse_feed(content: bytes, *, feed_url: str, now: datetime | None = None) -> list[InboundEngagement]:
    """Every entry of an RSS/Atom document as a listening engagement.

    Raises ``MalformedPayload`` naming the problem when the document is not a feed.
    """
    try:  # refuse entity expansion / external entities before feedparser sees it
        SafeXML.fromstring(content)
    except SafeXML.ParseError as exc:
        raise MalformedPayload(f"feed {feed_url} is not well-formed XML: {exc}") from exc
    except Exception as exc:  # defusedxml raises its own DefusedXmlException family
        raise MalformedPayload(f"feed {feed_url} was refused: {exc.__class__.__name__}") from exc
    parsed = feedparser.parse(content)
    if not parsed.get("version"):
        reason = parsed.get("bozo_exception") or "no <rss>, <feed> or <rdf:RDF> root"
        raise MalformedPayload(f"{feed_url} is not an RSS or Atom feed: {reason}")
    now = now or datetime.now(UTC)
    site = parsed.feed.get("title")
    items = []
    for entry in parsed.entries:
        link = unwrap_google_alerts(entry.get("link", ""))
        key = entry.get("id") or link
        if not key:
            raise MalformedPayload(f"feed {feed_url} has an entry without guid/id or link")
        title = html.unescape(_TAGS.sub("", entry.get("title", "")))
        summary = html.unescape(_TAGS.sub("", entry.get("summary", "")))
        host = urlparse(link).netloc or urlparse(feed_url).netloc or "feed"
        items.append(InboundEngagement(
            external_id=_external_id(key), kind=EngagementKind.LISTENING, network=Network.RSS,
            author=Author(external_id=host, display_name=entry.get("author") or site or host,
                          profile_url=f"https://{host}/" if host != "feed" else None),
            text=(title + ("\n" + summary if summary and summary != title else "")).strip()[:20000],
            language_hint=parsed.feed.get("language"), created_at=_when(entry, now), url=link or None,
            raw={"id": entry.get("id"), "title": entry.get("title"), "link": entry.get("link"),
                 "summary": entry.get("summary"), "published": entry.get("published")},
        ))
    return items
