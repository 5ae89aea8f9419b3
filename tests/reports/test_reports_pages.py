"""The reports pages in a browser's shoes: charts that link to their tickets, "my day", both languages."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.kit.time import utc_now
from tests.reports.conftest import Replay
from tests.support.factories import Tenant, engagement, ingest, make_tenant
from tests.support.pages import log_in_page

# Three hours ago; the ticket is closed 20 minutes after that.
SEED_AGE = timedelta(hours=3)


def seed(ui: TestClient, database: Database) -> tuple[Tenant, list[int]]:
    shop = make_tenant(database)
    start = utc_now() - SEED_AGE
    rows = ingest(ui, shop, [engagement(f"p{i}", text, author=f"a{i}", at=start) for i, text in
                             enumerate(["配送が遅れています", "Refund please"])])
    ids = [r["ticket_id"] for r in rows]
    replay = Replay(database)
    replay.reply(ids[0], start + timedelta(minutes=12), user_id=shop.agent_id)
    replay.close(ids[0], start + timedelta(minutes=20), user_id=shop.agent_id)
    ui.post(f"/api/v1/tickets/{ids[1]}/tags", json={"tags": ["返金"]}, headers=shop.headers())
    return shop, ids


def test_the_dashboard_draws_linked_charts_in_japanese(ui: TestClient, sqlite_database: Database) -> None:
    shop, ids = seed(ui, sqlite_database)
    log_in_page(ui, shop.admin_email, lang="ja", page="/reports")
    page = ui.get("/reports")
    assert page.status_code == 200
    html = page.text
    assert "初回応答時間（中央値）" in html and "曜日・時間帯別の新規チケット" in html
    assert html.count("<svg") == 4
    assert "12分" in html  # the median first response
    heat_links = re.findall(r'href="(/reports/tickets\?[^"]*weekday=\d&amp;hour=\d+)"', html)
    assert len(heat_links) == 7 * 24
    tag_link = re.search(r'href="(/reports/tickets\?[^"]*tag=%E8%BF%94%E9%87%91[^"]*)"', html)
    assert tag_link is not None
    behind = ui.get(tag_link.group(1).replace("&amp;", "&"))
    assert behind.status_code == 200
    assert f'/tickets/{ids[1]}"' in behind.text and f'/tickets/{ids[0]}"' not in behind.text
    assert "/api/v1/reports/tickets?" in html and "format=csv" in html


def test_an_agent_sees_their_own_day_in_english(ui: TestClient, sqlite_database: Database) -> None:
    shop, _ids = seed(ui, sqlite_database)
    log_in_page(ui, shop.agent_email, lang="en", page="/reports")
    assert "My day" in ui.get("/reports/me").text  # today, in the workspace's zone
    # The seeded close may fall on yesterday in Tokyo (between 00:00 and 02:40 there): ask
    # for its own day.
    closed_at = utc_now() - SEED_AGE + timedelta(minutes=20)
    day = closed_at.astimezone(ZoneInfo("Asia/Tokyo")).date().isoformat()
    page = ui.get(f"/reports/me?day={day}")
    assert page.status_code == 200 and "My day" in page.text
    assert re.search(r"Closed</span><strong>1</strong>", page.text)
    assert "12 min" in page.text
    assert ui.get("/reports/me?day=yesterday").status_code == 422
    assert ui.get("/reports").status_code == 200  # agents see the page, scoped to their own tickets


def test_pages_need_a_login(ui: TestClient) -> None:
    response = ui.get("/reports", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_dashboard_says_when_business_time_is_being_recomputed(
    ui: TestClient, sqlite_database: Database, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    from henshin.reports import rollup

    monkeypatch.setattr(rollup, "INLINE_REBUILD_TICKETS", 0)  # as a large workspace: left to the worker
    shop, _ids = seed(ui, sqlite_database)
    log_in_page(ui, shop.admin_email, lang="ja", page="/reports")
    assert "再計算しています" not in ui.get("/reports").text
    hours = {"timezone": "Asia/Tokyo", "week": {d: [["09:00", "18:00"]] for d in ["mon", "tue", "wed", "thu", "fri"]}}
    saved = ui.put("/api/v1/routing/business-hours", json={"business_hours": hours}, headers=shop.headers())
    assert saved.status_code == 200, saved.text
    assert "営業時間ベースの数値を再計算しています" in ui.get("/reports").text
    assert rollup.rebuild_requested(sqlite_database) == 1
    assert "再計算しています" not in ui.get("/reports").text
