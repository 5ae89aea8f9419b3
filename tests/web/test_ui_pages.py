"""The server-rendered inbox through HTTP: login, views, search, saved views, ticket page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.models.workspace import Role
from henshin.workspaces import repository as ws_repo
from henshin.workspaces.actions import do_add_member, do_create_workspace
from tests.support.factories import PASSWORD, Tenant, engagement, ingest, make_tenant
from tests.support.pages import log_in_page


def test_pages_send_a_visitor_to_login_and_back(ui: TestClient, shop: Tenant) -> None:
    response = ui.get("/inbox?view=mine", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Finbox%3Fview%3Dmine"
    wrong = ui.post("/login", data={"email": shop.agent_email, "password": "nope"},
                    headers={"accept-language": "ja"})
    assert wrong.status_code == 401 and "パスワードが違います" in wrong.text
    ok = ui.post("/login", data={"email": shop.agent_email, "password": PASSWORD,
                                 "next": "https://evil.example/"}, follow_redirects=False)
    assert ok.headers["location"] == "/inbox"  # never redirected off-site


def test_inbox_lists_rows_with_their_facts_in_both_languages(ui: TestClient, shop: Tenant) -> None:
    ingest(ui, shop, [
        engagement(text="注文した本がまだ届きません\n二行目", handle="hanako"),
        engagement(text="Love the <b>new</b> matcha latte", kind="comment", handle="tea_fan"),
    ])
    log_in_page(ui, shop.agent_email, lang="ja", page="/inbox")
    page = ui.get("/inbox")
    assert "すべての未対応" in page.text and "未割り当て" in page.text
    assert "注文した本がまだ届きません" in page.text and "二行目" not in page.text  # first line only
    assert "&lt;b&gt;new&lt;/b&gt;" in page.text  # a customer's text is escaped
    assert "メンション" in page.text and "コメント" in page.text
    english = (ui.cookies.set("henshin_lang", "en"), ui.get("/inbox"))[1]
    assert "All open" in english.text and "Mention" in english.text and 'lang="en"' in english.text
    counts = ui.get("/inbox/counts").json()["counts"]
    assert counts["open"] == 2 and counts["unassigned"] == 2 and counts["mine"] == 0


def test_search_sort_and_custom_filters(ui: TestClient, shop: Tenant) -> None:
    ingest(ui, shop, [engagement(text="ﾍﾝｼﾝの抹茶", minutes=1), engagement(text="delivery late", minutes=2)])
    log_in_page(ui, shop.agent_email, page="/inbox")
    found = ui.get("/inbox/rows?view=open&q=ヘンシン")  # width-folded search
    assert "抹茶" in found.text and "delivery late" not in found.text
    oldest = ui.get("/inbox/rows?view=open&sort=oldest_waiting").text
    assert oldest.index("抹茶") < oldest.index("delivery late")
    bad = ui.get("/inbox/rows?sentiment=furious")
    assert bad.status_code == 422 and "sentiment" in bad.json()["error"]["message"]
    assert ui.get("/inbox/rows?view=nope").status_code == 422


def test_saved_views_are_personal_unless_a_supervisor_shares_them(
    ui: TestClient, shop: Tenant
) -> None:
    ingest(ui, shop, [engagement(text="返金してください", kind="dm", thread_id="t1"), engagement(text="hello")])
    csrf = log_in_page(ui, shop.agent_email, page="/inbox")
    saved = ui.post("/inbox/views", data={"csrf_token": csrf, "name": "DMだけ", "query": "kind=dm&status=open"},
                    follow_redirects=False)
    assert saved.status_code == 303
    view_url = saved.headers["location"]
    page = ui.get(view_url)
    assert "DMだけ" in page.text and "返金してください" in page.text and "hello" not in page.text
    refused = ui.post("/inbox/views", data={"csrf_token": csrf, "name": "all", "query": "view=open",
                                            "shared": "true"})
    assert refused.status_code == 403
    assert ui.post("/inbox/views", data={"name": "no csrf", "query": ""}).status_code == 403
    ui.cookies.clear()
    log_in_page(ui, shop.admin_email, page="/inbox")
    assert "DMだけ" not in ui.get("/inbox").text  # the agent's view is the agent's


def test_ticket_page_shows_context_history_notes_and_readers(ui: TestClient, shop: Tenant) -> None:
    [item] = ingest(ui, shop, [engagement(
        text="星ひとつ。配送が遅い", kind="review", rating=1, handle="reviewer",
        post={"external_id": "p1", "text": "新商品のお知らせ"},
    )])
    ticket_id = item["ticket_id"]
    headers = shop.headers()
    ui.post(f"/api/v1/tickets/{ticket_id}/tags", json={"tags": ["配送"]}, headers=headers)
    ui.post(f"/api/v1/tickets/{ticket_id}/notes", json={"text": "確認中です @" + shop.agent_email.split("@")[0]},
            headers=headers)
    ui.post(f"/api/v1/tickets/{ticket_id}/read", headers=shop.headers("agent"))
    log_in_page(ui, shop.agent_email, page="/inbox")
    page = ui.get(f"/tickets/{ticket_id}")
    assert page.status_code == 200
    text = page.text
    assert "★☆☆☆☆" in text and "新商品のお知らせ" in text and "星ひとつ。配送が遅い" in text
    assert "タグ追加" in text and "配送" in text and "確認中です" in text
    assert "既読" in text and "佐藤" in text  # who has read it
    assert "1時間後" in text and "明日の朝" in text  # snooze presets
    panel = ui.get(f"/tickets/{ticket_id}/panel")
    assert panel.status_code == 200 and "<html" not in panel.text


def test_another_workspaces_ticket_is_not_found(ui: TestClient, sqlite_database: Database, shop: Tenant) -> None:
    other = make_tenant(sqlite_database)
    [item] = ingest(ui, other, [engagement(text="他社のチケット")])
    log_in_page(ui, shop.agent_email, page="/inbox")
    response = ui.get(f"/tickets/{item['ticket_id']}")
    assert response.status_code == 404
    assert "他社のチケット" not in ui.get("/inbox/rows?view=open").text


def test_workspace_switcher_and_language_switch(ui: TestClient, sqlite_database: Database, shop: Tenant) -> None:
    with sqlite_database.unit_of_work() as db:
        second = do_create_workspace(db, slug="second-brand", name="Second Brand 二号店")
        agent = ws_repo.user_by_email(db, shop.agent_email)
        assert agent is not None
        do_add_member(db, workspace=second, user=agent, role=Role.AGENT)
    csrf = log_in_page(ui, shop.agent_email, page="/inbox")
    page = ui.get("/inbox")
    assert "Second Brand 二号店" in page.text and 'id="ws-switch"' in page.text
    switched = ui.post("/workspace", data={"csrf_token": csrf, "slug": "second-brand"}, follow_redirects=False)
    assert switched.status_code == 303
    assert ui.get("/api/v1/auth/me").json()["workspace"]["slug"] == "second-brand"
    lang = ui.post("/language", data={"lang": "en", "next": "/inbox"}, follow_redirects=False)
    assert lang.headers["location"] == "/inbox" and "henshin_lang=en" in lang.headers["set-cookie"]


def test_logout_ends_the_session(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.agent_email, page="/inbox")
    assert ui.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert ui.get("/inbox", follow_redirects=False).status_code == 303
