"""Agents triage the inbox in real Chromium: keyboard, reply, snooze, bulk, drafts."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Api, log_in, open_context
from tests.e2e.live_server import LiveServer
from tests.support.factories import Tenant, engagement

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
NOW = datetime.now(UTC)
T = TypeVar("T")


def wait_for(read: Callable[[], T], done: Callable[[T], bool], seconds: float = 15) -> T:
    """Poll the API until ``done`` (the browser's request may still be in flight)."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_log_in_and_triage_a_view_with_the_keyboard(browser: Browser, live: LiveServer, shop: Tenant, api: Api) -> None:
    oldest, middle, newest = api.ingest(
        engagement(text="first: where is my order?", at=NOW - timedelta(minutes=30)),
        engagement(text="second: 抹茶ラテ最高", at=NOW - timedelta(minutes=20)),
        engagement(text="third: the app crashes", at=NOW - timedelta(minutes=10)),
    )
    context = open_context(browser)
    page = log_in(context, live.url, shop.agent_email)
    rows = page.locator("#rows li.row")
    expect(rows).to_have_count(3)
    page.keyboard.press("j")
    expect(page.locator(f"#ticket-{newest}")).to_have_class("row unread cursor")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator(f"#ticket-{middle}")).to_have_class("row unread cursor")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/tickets/{middle}**")
    page.wait_for_selector("#ticket-page[data-ready='1']")
    expect(page.locator(".msg.inbound .msg-text")).to_have_text("second: 抹茶ラテ最高")
    page.keyboard.press("e")  # close, back to the same view
    page.wait_for_url("**/inbox**")
    expect(rows).to_have_count(2)
    assert api.ticket(middle)["status"] == "closed"
    page.keyboard.press("j")
    page.keyboard.press("e")  # close right from the list
    expect(rows).to_have_count(1)
    expect(page.locator(f"#ticket-{oldest}")).to_be_visible()
    expect(page.locator("#toast")).to_contain_text("closed")
    context.close()


def test_reply_and_close(browser: Browser, live: LiveServer, shop: Tenant, api: Api) -> None:
    [ticket_id] = api.ingest(engagement(text="Is the shop open on Sunday?", kind="comment"))
    context = open_context(browser)
    page = log_in(context, live.url, shop.agent_email)
    page.locator(f"#ticket-{ticket_id} .row-main").click()
    page.wait_for_selector("#ticket-page[data-ready='1']")
    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    with page.expect_response("**/compose/check"):
        page.keyboard.type("Yes, from 10:00 to 18:00.")
    page.get_by_role("button", name="Send and close").click()
    detail = wait_for(lambda: api.ticket(ticket_id), lambda d: d["status"] == "closed")
    replies = [m for m in detail["messages"] if m["type"] == "outbound"]
    assert len(replies) == 1 and replies[0]["text"].endswith("Yes, from 10:00 to 18:00.")
    page.goto(f"{live.url}/tickets/{ticket_id}")
    expect(page.locator(".msg.outbound .msg-text")).to_contain_text("Yes, from 10:00 to 18:00.")
    expect(page.locator(".msg.outbound .delivery")).to_be_visible()  # its delivery state
    expect(page.locator("#ticket-status")).to_have_text("Closed")
    context.close()


def test_snoozed_ticket_leaves_the_list_and_comes_back_by_itself(
    browser: Browser, live: LiveServer, shop: Tenant, api: Api
) -> None:
    [ticket_id] = api.ingest(engagement(text="Please call me back tomorrow"))
    context = open_context(browser)
    page = log_in(context, live.url, shop.agent_email)
    row = page.locator(f"#ticket-{ticket_id}")
    expect(row).to_be_visible()
    until = datetime.now(UTC) + timedelta(seconds=5)
    api.call("POST", f"/api/v1/tickets/{ticket_id}/snooze", json={"until": until.isoformat()})
    expect(row).to_have_count(0)  # gone live, without a reload
    expect(row).to_be_visible(timeout=20_000)  # the worker woke it: back live
    assert api.ticket(ticket_id)["status"] == "open"
    context.close()


def test_bulk_close_a_selection(browser: Browser, live: LiveServer, shop: Tenant, api: Api) -> None:
    spam_a, spam_b, keep = api.ingest(
        engagement(text="buy followers cheap!!!", minutes=1),
        engagement(text="free coins click here", minutes=2),
        engagement(text="My order arrived broken", minutes=3),
    )
    context = open_context(browser)
    page = log_in(context, live.url, shop.agent_email)
    page.locator(f"#ticket-{spam_a} input.pick").check()
    page.locator(f"#ticket-{spam_b} input.pick").check()
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.locator("#bulk [data-bulk=close]").click()
    expect(page.locator("#rows li.row")).to_have_count(1)
    expect(page.locator(f"#ticket-{keep}")).to_be_visible()
    assert [api.ticket(t)["status"] for t in (spam_a, spam_b, keep)] == ["closed", "closed", "open"]
    context.close()


def test_a_failing_request_keeps_the_draft_even_across_a_reload(
    browser: Browser, live: LiveServer, shop: Tenant, api: Api
) -> None:
    [ticket_id] = api.ingest(engagement(text="返品の方法を教えてください"))
    context = open_context(browser)
    page = log_in(context, live.url, shop.agent_email)
    page.goto(f"{live.url}/tickets/{ticket_id}")
    page.wait_for_selector("#ticket-page[data-ready='1']")
    draft = "ご連絡ありがとうございます。返品は注文履歴から"
    with page.expect_response("**/compose/check"):  # let the composer's check settle first
        page.locator("#reply-text").fill(draft)
    sending = re.compile(r"/api/v1/tickets/\d+/(reply|send)$")
    page.route(sending, lambda route: route.abort())
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#toast")).to_contain_text("could not be reached")
    expect(page.locator("#reply-text")).to_have_value(draft)
    page.reload()
    page.wait_for_selector("#ticket-page[data-ready='1']")
    expect(page.locator("#reply-text")).to_have_value(draft)
    expect(page.locator("#draft-state")).to_have_text("Draft restored")
    page.unroute(sending)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".msg.outbound .msg-text")).to_contain_text(draft)
    assert len([m for m in api.ticket(ticket_id)["messages"] if m["type"] == "outbound"]) == 1
    page.reload()
    page.wait_for_selector("#ticket-page[data-ready='1']")
    expect(page.locator("#reply-text")).to_have_value("")  # sent: the draft is gone
    context.close()
