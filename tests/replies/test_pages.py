"""The agents' saved replies page (/replies): list, search, create, edit, validation."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.factories import Tenant
from tests.support.pages import log_in_page


def test_an_admin_creates_a_shared_reply_that_is_listed_with_its_usage(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.admin_email, lang="ja", page="/replies")
    created = ui.post("/replies", data={
        "csrf_token": csrf, "title": "配送遅延のお詫び", "body": "{customer_name}様、配送が遅れており申し訳ございません。",
        "shortcut": "delay", "language": "ja", "network": "", "tags": "配送, お詫び", "shared": "1",
    }, follow_redirects=False)
    assert created.status_code == 303 and "saved=1" in created.headers["location"]
    page = ui.get(created.headers["location"])
    assert "保存しました" in page.text and "配送遅延のお詫び" in page.text and "/delay" in page.text
    assert "0回使用" in page.text and "共有" in page.text
    assert "{customer_name}" in page.text and "お客様の表示名" in page.text  # variable help
    reply_id = int(created.headers["location"].split("edit=")[1].split("&")[0])
    rendered = ui.post(f"/api/v1/saved-replies/{reply_id}/render", json={}, headers={"X-CSRF-Token": csrf})
    assert rendered.status_code == 200
    assert "1回使用" in ui.get("/replies?q=配送").text
    assert "該当する定型文はありません" in ui.get("/replies?q=返品").text


def test_bad_input_comes_back_as_a_4xx_with_the_text_kept(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.agent_email, lang="en", page="/replies")
    unknown = ui.post("/replies", data={"csrf_token": csrf, "title": "Late", "body": "Hi {custmer_name}!",
                                        "shared": "0"})
    assert unknown.status_code == 422
    assert "unknown variables: {custmer_name}" in unknown.text and "Hi {custmer_name}!" in unknown.text
    empty = ui.post("/replies", data={"csrf_token": csrf, "title": "", "body": "text", "shared": "0"})
    assert empty.status_code == 422 and "title" in empty.text
    shared = ui.post("/replies", data={"csrf_token": csrf, "title": "Late", "body": "Sorry!", "shared": "1"})
    assert shared.status_code == 403 and "supervisors and admins" in shared.text
    no_csrf = ui.post("/replies", data={"title": "Late", "body": "Sorry!", "shared": "0"})
    assert no_csrf.status_code == 403


def test_an_agent_edits_and_deletes_a_personal_reply_others_never_see(
    ui: TestClient, shop: Tenant
) -> None:
    csrf = log_in_page(ui, shop.agent_email, lang="en", page="/replies")
    created = ui.post("/replies", data={"csrf_token": csrf, "title": "My sign-off", "body": "Thanks! — {agent_name}",
                                        "shared": "0", "language": "en", "network": "x"}, follow_redirects=False)
    location = created.headers["location"]
    reply_id = int(location.split("edit=")[1].split("&")[0])
    edited = ui.post(f"/replies/{reply_id}", data={"csrf_token": csrf, "title": "My sign-off v2",
                                                   "body": "Thank you! — {agent_name}", "language": "en",
                                                   "network": "x", "tags": ""}, follow_redirects=False)
    assert edited.status_code == 303
    page = ui.get("/replies?scope=personal&network=x")
    assert "My sign-off v2" in page.text and "personal" in page.text
    ui.cookies.clear()
    log_in_page(ui, shop.admin_email, lang="en", page="/replies")
    assert "My sign-off" not in ui.get("/replies").text
    assert ui.get(f"/replies?edit={reply_id}").status_code == 404
    ui.cookies.clear()
    csrf = log_in_page(ui, shop.agent_email, lang="en", page="/replies")
    deleted = ui.post(f"/replies/{reply_id}/delete", data={"csrf_token": csrf}, follow_redirects=False)
    assert deleted.status_code == 303 and "My sign-off" not in ui.get("/replies").text
