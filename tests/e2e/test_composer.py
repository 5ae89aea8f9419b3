"""The guarded composer in real Chromium: personal-data block, DM instead, a suggested
saved reply inserted with its variables filled, sending with Undo, thread preview."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from henshin.db.session import Database
from henshin.models import OutboundMessage
from tests.e2e.conftest import Api, log_in, open_context
from tests.e2e.live_server import LiveServer
from tests.support.factories import Tenant, engagement

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def outbound_states(database: Database, ticket_id: int) -> list[tuple[str, str]]:
    with database.sessions() as db:
        rows = db.scalars(select(OutboundMessage).where(OutboundMessage.ticket_id == ticket_id)
                          .order_by(OutboundMessage.id))
        return [(r.text, r.state) for r in rows]


def test_block_then_dm_then_a_suggested_reply_sent_and_undone(
    browser: Browser, live: LiveServer, shop: Tenant, api: Api, e2e_database: Database
) -> None:
    api.call("PUT", "/api/v1/composer/settings", json={"undo_seconds": 30})
    api.call("POST", "/api/v1/saved-replies", json={
        "title": "配送遅延のお詫び", "language": "ja", "shared": True,
        "body": "{customer_name}様、ご注文の本の配送が遅れており申し訳ございません。お調べしてDMでご連絡します。",
    })
    [ticket_id] = api.ingest(engagement(text="注文した本がまだ届きません。配送状況を教えてください", handle="hanako"))
    context = open_context(browser, locale="ja-JP")
    page = log_in(context, live.url, shop.agent_email)
    page.goto(f"{live.url}/tickets/{ticket_id}")
    page.wait_for_selector("#composer[data-ready='1']")

    # a phone number in a public reply: blocked, explained in Japanese, nothing sent
    page.locator("#reply-text").fill("お電話で確認しますので 090-1234-5678 までご連絡ください")
    block = page.locator("#guard-findings .finding-block[data-code='personal_data_public']")
    expect(block).to_contain_text("公開返信に個人情報（電話番号）")
    expect(block).to_contain_text("090-1234-5678")
    expect(page.locator("#char-count")).to_have_text(re.compile(r"^\d+ / 280$"))  # X counts Japanese double
    page.get_by_role("button", name="送信", exact=True).click()
    expect(page.locator("#toast")).to_contain_text("送信できません")
    assert outbound_states(e2e_database, ticket_id) == []

    # "send as DM instead": the block is gone
    block.get_by_role("button", name="DMで送る").click()
    expect(page.locator("input[name=visibility][value=private]")).to_be_checked()
    expect(page.locator("#guard-findings .finding-block")).to_have_count(0)
    expect(page.locator("#composer")).to_have_attribute("data-blocked", "0")

    # the suggested saved reply goes in with the customer's name filled in
    page.locator("#reply-text").fill("")
    suggestion = page.locator("#composer-suggestions .suggestion-reply").first
    expect(suggestion).to_contain_text("配送遅延のお詫び")
    suggestion.click()
    expect(page.locator("#reply-text")).to_have_value(re.compile(r"^hanako様、ご注文の本の配送が遅れており"))

    # send, then Undo inside the undo window: nothing goes out, the text comes back
    page.get_by_role("button", name="送信", exact=True).click()
    toast = page.locator("#toast")
    expect(toast).to_contain_text("送信待ち")
    expect(page.locator("#reply-text")).to_have_value("")
    [(text, state)] = outbound_states(e2e_database, ticket_id)
    assert text.startswith("hanako様") and state == "queued"
    toast.get_by_role("button", name="元に戻す").or_(toast.get_by_role("button", name="Undo")).click()
    expect(toast).to_contain_text("送信を取り消しました")
    expect(page.locator("#reply-text")).to_have_value(re.compile(r"^hanako様"))
    assert [s for _, s in outbound_states(e2e_database, ticket_id)] == ["cancelled"]
    context.close()


def test_override_with_a_reason_and_a_long_reply_needs_thread_confirmation(
    browser: Browser, live: LiveServer, shop: Tenant, api: Api, e2e_database: Database
) -> None:
    [ticket_id] = api.ingest(engagement(text="Where is my parcel? It was due on Monday", handle="tom"))
    context = open_context(browser)
    page = log_in(context, live.url, shop.agent_email)
    page.goto(f"{live.url}/tickets/{ticket_id}")
    page.wait_for_selector("#composer[data-ready='1']")
    page.locator("#reply-text").fill("Our depot is on 03-1234-5678 if you would like to call them directly.")
    block = page.locator("#guard-findings .finding-block")
    expect(block).to_contain_text("personal data (phone)")
    block.locator(".override-reason").fill("the depot's public number, not the customer's")
    expect(page.locator("#composer")).to_have_attribute("data-blocked", "0")

    long_reply = " ".join(f"Step {i}: we checked the parcel record and the courier scan history." for i in range(1, 16))
    page.locator("#reply-text").fill(long_reply)
    expect(page.locator("#composer-parts")).to_be_visible()
    expect(page.locator("#composer-parts-title")).to_contain_text(re.compile(r"sent as \d+ posts"))
    expect(page.locator("#composer-parts-list .part").first).to_contain_text(re.compile(r"\(1/\d+\)|\(続きます\)"))
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#toast")).to_contain_text("Confirm the thread")
    assert outbound_states(e2e_database, ticket_id) == []
    page.locator("#composer-confirm").check()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#toast")).to_contain_text("Reply queued")
    states = outbound_states(e2e_database, ticket_id)
    assert len(states) > 3 and {s for _, s in states} == {"queued"}
    context.close()
