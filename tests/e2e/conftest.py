"""End-to-end fixtures: one app on a real port (SQLite file, workers on) and one Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from henshin.config import Settings
from henshin.db.engine import make_engine
from henshin.db.session import Database
from henshin.kit.secrets import reset_secret_box
from henshin.web.app import create_app
from tests.conftest import TEST_KEY, create_schema
from tests.e2e.live_server import LiveServer
from tests.support.factories import PASSWORD, Tenant, make_tenant

CHROMIUM = "/usr/bin/chromium"
expect.set_options(timeout=15_000)  # generous: CI machines are busy; passing runs take far less
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("e2e") / "henshin.sqlite3"
    database = Database(make_engine(f"sqlite:///{path}"))
    create_schema(database.engine)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def live(e2e_database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app over HTTP with its in-process workers (snoozes wake every 0.2 s)."""
    reset_secret_box()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path_factory.mktemp('unused')}/unused.sqlite3",
        secret_key=TEST_KEY, run_workers_in_process=True, worker_poll_seconds=0.2,
    )
    with LiveServer(create_app(settings, database=e2e_database, run_workers=True)) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make test installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shop(e2e_database: Database) -> Tenant:
    return make_tenant(e2e_database)


class Api:
    """The JSON API of the live server, as the tenant's admin (or agent)."""

    def __init__(self, url: str, tenant: Tenant) -> None:
        self.url = url
        self.tenant = tenant

    def call(self, method: str, path: str, who: str = "admin", **kwargs: Any) -> Any:
        response = httpx.request(method, self.url + path, headers=self.tenant.headers(who), timeout=60, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def ingest(self, *items: dict[str, Any]) -> list[int]:
        body = {"channel_id": self.tenant.channel_id, "engagements": list(items)}
        return [i["ticket_id"] for i in self.call("POST", "/api/v1/engagements", json=body)["items"]]

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        return dict(self.call("GET", f"/api/v1/tickets/{ticket_id}"))


@pytest.fixture
def api(live: LiveServer, shop: Tenant) -> Api:
    return Api(live.url, shop)


def open_context(browser: Browser, locale: str = "en-US", **kwargs: Any) -> BrowserContext:
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 860}, **kwargs)
    context.set_default_timeout(15000)  # generous: CI machines are busy
    return context


def log_in(context: BrowserContext, base_url: str, email: str) -> Page:
    page = context.new_page()
    page.goto(base_url + "/inbox")
    assert "/login" in page.url  # not logged in yet: sent to the login page
    page.get_by_label("Email").or_(page.get_by_label("メールアドレス")).fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url("**/inbox")
    page.wait_for_selector(".inbox[data-ready='1']")
    page.wait_for_selector("body[data-live='on']")
    return page
