"""The Channels page over HTTP: health and alerts listed, secrets never echoed, connect
forms only for admins, Japanese and English."""

from __future__ import annotations

from fastapi.testclient import TestClient

from henshin.db.session import Database
from tests.support.factories import Tenant, make_tenant
from tests.support.pages import log_in_page

SECRET = "line-secret-never-shown-0123"


def test_channels_page_lists_health_without_secrets_and_forms_for_admins(
        ui: TestClient, sqlite_database: Database) -> None:
    shop: Tenant = make_tenant(sqlite_database)
    r = ui.post("/api/v1/channels", headers=shop.headers(), json={
        "network": "line", "name": "LINE 公式", "credentials": {
            "channel_id": "2000000001", "channel_secret": SECRET, "channel_access_token": "tok-" + SECRET}})
    assert r.status_code == 201, r.text
    log_in_page(ui, shop.admin_email, lang="ja", page="/channels")
    page = ui.get("/channels")
    assert page.status_code == 200
    assert "LINE 公式" in page.text and "正常" in page.text and "Meta で接続" in page.text
    assert SECRET not in page.text
    assert 'id="connect-line-channel_secret"' in page.text and 'type="password"' in page.text
    ui.cookies.clear()
    log_in_page(ui, shop.agent_email, lang="en", page="/channels")
    seen_by_agent = ui.get("/channels")
    assert "LINE 公式" in seen_by_agent.text and "Connect with X" not in seen_by_agent.text
    assert 'id="connect-form"' not in seen_by_agent.text
