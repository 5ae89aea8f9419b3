"""Two agents at once: presence, typing, live changes; and the Japanese UI."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Dialog, expect

from tests.e2e.conftest import Api, log_in, open_context
from tests.e2e.live_server import LiveServer
from tests.support.factories import Tenant, engagement

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_two_agents_see_each_others_presence_typing_and_changes_live(
    browser: Browser, live: LiveServer, shop: Tenant, api: Api
) -> None:
    [ticket_id] = api.ingest(engagement(text="配送状況を教えてください", handle="yamada"))
    agent_context, admin_context = open_context(browser), open_context(browser)
    agent = log_in(agent_context, live.url, shop.agent_email)
    admin = log_in(admin_context, live.url, shop.admin_email)

    # a new engagement shows up in an open inbox without a reload (latency: benchmarks/live_updates.py)
    [fresh] = api.ingest(engagement(text="新しいお問い合わせです"))
    expect(agent.locator(f"#ticket-{fresh}")).to_be_visible()

    admin.goto(f"{live.url}/tickets/{ticket_id}")
    agent.goto(f"{live.url}/tickets/{ticket_id}")
    for page in (agent, admin):
        page.wait_for_selector("#ticket-page[data-ready='1']")
    expect(admin.locator("#presence .viewer")).to_have_text(agent.locator("#ticket-page").get_attribute("data-user-name") or "")
    expect(agent.locator("#presence .viewer")).to_have_text(admin.locator("#ticket-page").get_attribute("data-user-name") or "")

    # the admin types: the agent sees it, and replying now asks for confirmation
    admin.locator("#reply-text").press_sequentially("確認します", delay=20)
    expect(agent.locator("#presence .viewer.typing")).to_contain_text("is typing")
    agent.locator("#reply-text").fill("お待たせしております。")
    asked: list[str] = []

    def refuse(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    agent.once("dialog", refuse)
    agent.get_by_role("button", name="Send", exact=True).click()
    expect(agent.locator("#reply-text")).to_have_value("お待たせしております。")
    assert asked and "typing a reply" in asked[0]
    assert [m for m in api.ticket(ticket_id)["messages"] if m["type"] == "outbound"] == []

    # the admin assigns and tags: the agent's open ticket follows live
    admin.locator("#assign-select").select_option(f"user:{shop.agent_id}")
    expect(agent.locator("#assign-select")).to_have_value(f"user:{shop.agent_id}")
    expect(agent.locator("#toast")).to_contain_text("changed this ticket")
    admin.locator("#tag-input").fill("配送")
    admin.locator("#tag-input").press("Enter")
    expect(agent.locator("#tags .tag")).to_have_text(["配送"])

    # a teammate's change re-renders the panel without losing a tag being typed
    admin.locator("#tag-input").fill("返金")
    agent.locator("#priority-select").select_option("high")
    expect(admin.locator("#priority-select")).to_have_value("high")
    expect(admin.locator("#tag-input")).to_have_value("返金")
    admin.locator("#tag-input").press("Enter")
    expect(agent.locator("#tags .tag")).to_have_text(["返金", "配送"])  # sorted by name
    expect(admin.locator("#tag-input")).to_have_value("")

    # the admin leaves: the agent's presence bar empties
    admin.goto(f"{live.url}/inbox")
    expect(agent.locator("#presence .viewer")).to_have_count(0)
    # the agent closes; the admin's list drops the row live
    expect(admin.locator(f"#ticket-{ticket_id}")).to_be_visible()
    agent.locator("[data-action=close]").click()
    expect(admin.locator(f"#ticket-{ticket_id}")).to_have_count(0)
    agent_context.close()
    admin_context.close()


def test_the_japanese_ui_renders_real_japanese_text(browser: Browser, live: LiveServer, shop: Tenant, api: Api) -> None:
    [ticket_id] = api.ingest(engagement(text="ほうじ茶ラテの販売はいつまでですか？", kind="comment", handle="ocha"))
    context = open_context(browser, locale="ja-JP")
    page = context.new_page()
    page.goto(live.url + "/login")
    expect(page.get_by_role("heading", name="返信 henshin")).to_be_visible()
    page.get_by_label("メールアドレス").fill(shop.agent_email)
    page.get_by_label("パスワード").fill("correct horse battery")
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_selector(".inbox[data-ready='1']")
    expect(page.locator("nav.mainnav")).to_contain_text("受信箱")
    expect(page.locator("#list-title")).to_have_text("すべての未対応")
    expect(page.locator(f"#ticket-{ticket_id} .kind")).to_have_text("コメント")
    # the glyphs come from a CJK font, not empty boxes
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK JP\"', '受信箱')")
    width = page.locator("#list-title").evaluate("e => e.getBoundingClientRect().width")
    assert width > 60  # seven full-width characters, laid out
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_selector("#ticket-page[data-ready='1']")
    expect(page.get_by_role("button", name="送信して完了")).to_be_visible()
    expect(page.locator("#snooze-select")).to_contain_text("明日の朝")
    # the language switch takes effect at once
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Send and close")).to_be_visible()
    # a phone-width screen keeps the ticket usable
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#reply-text")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
