"""The Channels page over HTTP: health and alerts listed, secrets never echoed, connect
forms only for admins, Japanese and English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from henshin.config import Settings
from henshin.db.session import Database
from henshin.web.app import create_app
from tests.support.factories import PASSWORD, Tenant, make_tenant

SECRET = "line-secret-never-shown-0123"


@pytest.fixture
def ui(sqlite_database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database=sqlite_database, run_workers=False)) as client:
        yield client


def log_in(client: TestClient, email: str, lang: str) -> None:
    client.cookies.set("henshin_lang", lang)
    r = client.post("/login", data={"email": email, "password": PASSWORD, "next": "/channels"},
                    follow_redirects=False)
    assert r.status_code == 303


def test_channels_page_lists_health_without_secrets_and_forms_for_admins(
        ui: TestClient, sqlite_database: Database) -> None:
    shop: Tenant = make_tenant(sqlite_database)
    r = ui.post("/api/v1/channels", headers=shop.headers(), json={
        "network": "line", "name": "LINE 公式", "credentials": {
            "channel_id": "2000000001", "channel_secret": SECRET, "channel_access_token": "tok-" + SECRET}})
    assert r.status_code == 201, r.text
    log_in(ui, shop.admin_email, "ja")
    page = ui.get("/channels")
    assert page.status_code == 200
    assert "LINE 公式" in page.text and "正常" in page.text and "Meta で接続" in page.text
    assert SECRET not in page.text
    assert 'id="connect-line-channel_secret"' in page.text and 'type="password"' in page.text
    ui.cookies.clear()
    log_in(ui, shop.agent_email, "en")
    seen_by_agent = ui.get("/channels")
    assert "LINE 公式" in seen_by_agent.text and "Connect with X" not in seen_by_agent.text
    assert 'id="connect-form"' not in seen_by_agent.text
