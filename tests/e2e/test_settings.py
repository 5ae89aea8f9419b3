"""Settings and the rule builder in Chromium: a keyword rule built in Japanese without writing JSON
tags the engagements it matches; a supervisor gives an agent a weekly shift with two periods a day."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Api, log_in, open_context
from tests.e2e.live_server import LiveServer
from tests.support.factories import Tenant, engagement

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def wait_for_tags(api: Api, ticket_id: int, tag: str) -> list[str]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        tags = list(api.ticket(ticket_id)["tags"])
        if tag in tags:
            return tags
        time.sleep(0.2)
    return list(api.ticket(ticket_id)["tags"])


def test_a_keyword_rule_built_in_japanese_tags_what_it_matches(
        browser: Browser, live: LiveServer, shop: Tenant, api: Api) -> None:
    context = open_context(browser, locale="ja-JP")
    page = log_in(context, live.url, shop.admin_email)
    page.goto(live.url + "/rules")
    builder = page.locator("#rule-builder[data-ready='1']")
    expect(builder).to_be_visible()
    expect(page.get_by_role("heading", name="新しいルール")).to_be_visible()

    builder.get_by_label("名前", exact=True).fill("返金・解約の振り分け")
    # the example's second condition (sentiment) goes; the first becomes our keyword list
    builder.get_by_role("button", name="条件を削除 2").click()
    keywords = builder.get_by_label("キーワード")
    keywords.fill("")
    page.get_by_role("button", name="保存", exact=True).click()
    # refused by the server: the problem is shown next to the keyword box, in the builder
    expect(page.locator(".rb-row .field-error")).to_contain_text("keyword")
    expect(builder.get_by_label("キーワード")).to_have_attribute("aria-invalid", "true")

    builder.get_by_label("キーワード").fill("返金\n解約、キャンセル")
    builder.get_by_role("button", name="条件を追加").click()
    second = builder.locator(".rb-row").nth(1)
    expect(second.get_by_label("項目")).to_be_focused()  # keyboard users land on the new row
    second.get_by_label("否定").check()
    second.get_by_label("キーワード").fill("広告")
    first_action = builder.locator(".rb-action").first
    first_action.get_by_label("タグ（1行に1つ、またはカンマ区切り） *").fill("返金対応")
    builder.get_by_role("button", name="アクションを削除 2").click()

    page.get_by_text("上級者向け：ルールのJSON").click()  # the JSON editor follows the builder
    expect(page.locator("#rule-definition")).to_have_value(
        '{\n  "name": "返金・解約の振り分け",\n  "trigger": "engagement_received",\n  "conditions": {\n    "all": [\n'
        '      {\n        "field": "text",\n        "op": "contains_any",\n        "value": [\n          "返金",\n'
        '          "解約",\n          "キャンセル"\n        ]\n      },\n      {\n        "not": {\n'
        '          "field": "text",\n          "op": "contains_any",\n          "value": [\n            "広告"\n'
        '          ]\n        }\n      }\n    ]\n  },\n  "actions": [\n    {\n      "type": "tag",\n      "tags": [\n'
        '        "返金対応"\n      ]\n    }\n  ],\n  "stop_processing": false\n}')
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".rules-list")).to_contain_text("返金・解約の振り分け")

    [rule] = api.call("GET", "/api/v1/rules")
    assert rule["definition"]["conditions"]["all"][1] == {"not": {"field": "text", "op": "contains_any", "value": ["広告"]}}
    refund, advert, other = api.ingest(
        engagement(text="注文をｷｬﾝｾﾙしたいです"), engagement(text="広告の返金について"),
        engagement(text="配送はいつですか"))
    assert "返金対応" in wait_for_tags(api, refund, "返金対応")  # width-folded ｷｬﾝｾﾙ matches too
    assert "返金対応" not in api.ticket(advert)["tags"] and "返金対応" not in api.ticket(other)["tags"]

    # editing it again opens the builder on the saved rule, NOT included
    page.locator(".rules-list").get_by_role("link", name="編集").click()
    expect(builder.locator(".rb-row").nth(1).get_by_label("否定")).to_be_checked()
    expect(builder.get_by_label("キーワード").first).to_have_value("返金\n解約\nキャンセル")
    context.close()


def test_a_supervisor_gives_an_agent_a_weekly_shift(
        browser: Browser, live: LiveServer, shop: Tenant, api: Api) -> None:
    context = open_context(browser)
    page = log_in(context, live.url, shop.admin_email)
    page.goto(live.url + "/settings")
    agent_row = page.locator(f"tr[data-user-id='{shop.agent_id}']")
    expect(agent_row.locator(".shift")).to_have_text("No shift (always on)")
    agent_row.get_by_role("link", name="Edit").click()
    form = page.locator("#member-edit")
    form.get_by_label("Works on a weekly shift").check()
    form.get_by_label("Mon", exact=True).fill("09:00-12:00, 13:00-18:00")
    form.get_by_label("Tue", exact=True).fill("22:00〜06:00")
    form.get_by_label("Wed", exact=True).fill("9時から")
    form.get_by_label("Languages").fill("ja, en")
    form.get_by_label("Max open tickets").fill("8")
    form.get_by_role("button", name="Save").click()

    wednesday = page.locator("#m-shift_wed")
    expect(wednesday).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#err-shift_wed")).to_have_text("“9時から” is not a period like 09:00-18:00.")
    expect(page.locator("#m-shift_mon")).to_have_value("09:00-12:00, 13:00-18:00")  # nothing typed is lost
    wednesday.fill("")
    page.locator("#member-edit").get_by_role("button", name="Save").click()

    expect(page.locator(".saved")).to_have_text("Saved.")
    shift_cell = page.locator(f"tr[data-user-id='{shop.agent_id}'] .shift")
    expect(shift_cell).to_contain_text("Mon 09:00–12:00, 13:00–18:00")
    expect(shift_cell).to_contain_text("Tue 22:00–06:00")
    agent = next(a for a in api.call("GET", "/api/v1/routing/agents") if a["user_id"] == shop.agent_id)
    assert agent["shift"]["week"] == {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": [["22:00", "06:00"]]}
    assert agent["max_open_tickets"] == 8 and agent["skills"]["languages"] == ["en", "ja"]
    context.close()
