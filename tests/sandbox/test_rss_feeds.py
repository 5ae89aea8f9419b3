"""The sandbox's Google Alerts feed and conditional GET behave as Google and RFC 9110 say,
and the RSS connector reads them without missing or repeating an entry."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import feedparser
import httpx
import pytest

from henshin.connectors.rss.connector import RssConnector
from henshin.sandbox.server import RunningSandbox, start_sandbox
from henshin.sandbox.state import SandboxState
from henshin.sandbox.stream import set_feed

NOON = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox(SandboxState())
    yield running
    running.stop()


def rss(sandbox: RunningSandbox) -> RssConnector:
    return RssConnector({"feed_url": "henshin"}, base_url=sandbox.rss_url)


def test_google_alerts_feed_is_atom_with_wrapped_links(sandbox: RunningSandbox) -> None:
    set_feed(sandbox.state, "henshin", [("https://blog.example.jp/cafe", "henshin のカフェに行ってきた")], now=NOON)
    response = httpx.get(f"{sandbox.rss_url}/henshin")
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.version == "atom10"
    assert parsed.feed.id.startswith("tag:google.com,2005:reader/user/") and "/com.google/alerts/" in parsed.feed.id
    [entry] = parsed.entries
    assert entry.id.startswith("tag:google.com,2013:googlealerts/feed:")
    assert entry.link.startswith("https://www.google.com/url?rct=j&sa=t&url=https://blog.example.jp/cafe&ct=ga")
    assert "<b>henshin</b>" in entry.title_detail.value and entry.title_detail.type == "text/html"
    item = asyncio.run(rss(sandbox).poll(None)).items[0]
    assert item.url == "https://blog.example.jp/cafe" and item.text.startswith("henshin のカフェ")


def test_an_entry_published_in_the_same_second_is_not_hidden_by_if_modified_since(sandbox: RunningSandbox) -> None:
    # Two publications within one second share Last-Modified but not the ETag: RFC 9110
    # evaluates If-None-Match and ignores If-Modified-Since, so the second one is served.
    first = ("https://blog.example.jp/1", "henshin 新作レビュー")
    set_feed(sandbox.state, "henshin", [first], now=NOON)
    seen = asyncio.run(rss(sandbox).poll(None))
    set_feed(sandbox.state, "henshin", [first, ("https://blog.example.jp/2", "henshin の配送が遅い")], now=NOON)
    fresh = asyncio.run(rss(sandbox).poll(seen.cursor))
    assert [i.url for i in fresh.items] == ["https://blog.example.jp/2"]
    assert asyncio.run(rss(sandbox).poll(fresh.cursor)).items == []


def test_conditional_get_follows_rfc_9110(sandbox: RunningSandbox) -> None:
    set_feed(sandbox.state, "henshin", [("https://blog.example.jp/1", "henshin")], now=NOON)
    url = f"{sandbox.rss_url}/henshin"
    etag, modified = (httpx.get(url).headers[h] for h in ("etag", "last-modified"))
    assert httpx.get(url, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert httpx.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304  # weak comparison
    assert httpx.get(url, headers={"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200
    assert httpx.get(url, headers={"If-Modified-Since": "Mon, 23 Nov 2026 04:00:00 GMT"}).status_code == 304
    assert httpx.get(url, headers={"If-Modified-Since": "Mon, 23 Nov 2026 02:00:00 GMT"}).status_code == 200
    assert httpx.get(url, headers={"If-Modified-Since": "not a date"}).status_code == 200
