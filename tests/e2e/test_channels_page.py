"""The Channels admin page in Chromium: connect an RSS listening feed through the form
rendered from the connector's JSON Schema, see its health after the poller ran, pause it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from henshin.sandbox.server import RunningSandbox, start_sandbox
from henshin.sandbox.state import SandboxState
from henshin.sandbox.stream import seed_world
from tests.e2e.conftest import log_in, open_context
from tests.e2e.live_server import LiveServer
from tests.support.factories import Tenant

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def networks() -> Iterator[RunningSandbox]:
    running = start_sandbox(seed_world(SandboxState(), seed=5, count=6))
    yield running
    running.stop()


def test_admin_connects_an_rss_feed_through_the_form_and_sees_its_health(
        browser: Browser, live: LiveServer, shop: Tenant, networks: RunningSandbox) -> None:
    context = open_context(browser)
    page = log_in(context, live.url, shop.admin_email)
    page.goto(live.url + "/channels")
    expect(page.get_by_role("heading", name="Channels", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Connect with X")).to_be_visible()
    expect(page.get_by_role("button", name="Connect with Meta (Facebook / Instagram)")).to_be_visible()
    # the form follows the connector's schema: LINE's secrets are password inputs
    page.select_option("#connect-network", "line")
    expect(page.locator("#connect-line-channel_secret")).to_have_attribute("type", "password")

    page.select_option("#connect-network", "rss")
    page.fill("#connect-name", "Google Alerts 返信")
    page.fill("#connect-rss-feed_url", "alerts")
    page.fill("#connect-base", networks.rss_url)
    page.get_by_role("button", name="Connect", exact=True).click()

    row = page.locator("tr[data-network='rss']")
    expect(row).to_contain_text("Google Alerts 返信")
    expect(row).to_have_attribute("data-state", "ok")
    # the in-process poller fetches the feed (every 0.2 s in this server): the sync time shows
    for _ in range(50):
        if "never" not in (row.locator(".last-sync").text_content() or ""):
            break
        page.wait_for_timeout(300)
        page.reload()
    expect(row.locator(".last-sync")).not_to_contain_text("never")

    row.get_by_role("button", name="Pause").click()
    expect(page.locator("tr[data-network='rss']")).to_have_attribute("data-state", "paused")
    page.locator("tr[data-network='rss']").get_by_role("button", name="Resume").click()
    expect(page.locator("tr[data-network='rss']")).to_have_attribute("data-state", "ok")

    # Japanese UI
    page.locator("button[name=lang][value=ja]").click()
    expect(page.get_by_role("heading", name="チャネル", exact=True)).to_be_visible()
    expect(page.locator("tr[data-network='rss'] .health")).to_have_text("正常")
    context.close()
