"""Live-update latency: from an ingest call returning to the row appearing in an open browser.

    .venv/bin/python benchmarks/live_updates.py [--engagements 100]

A real uvicorn server (SQLite), a headless Chromium (Debian's /usr/bin/chromium) logged
in on the inbox; a MutationObserver in the page stamps the wall-clock time each new row
appears; the latency is that stamp minus the moment ``POST /api/v1/engagements``
returned. Same machine, same clock. Prints p50/p95 (target p95 <= 1 s).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime

import httpx
from common import emit, machine, percentiles
from playwright.sync_api import sync_playwright
from tests.conftest import TEST_KEY, create_schema
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.live_server import LiveServer
from tests.support.factories import PASSWORD, engagement, make_tenant

from henshin.config import Settings
from henshin.db.engine import make_engine
from henshin.db.session import Database
from henshin.web.app import create_app

WATCH = """
() => {
  window.__seen = {};
  new MutationObserver(() => {
    for (const row of document.querySelectorAll('#rows li.row')) {
      const id = row.dataset.ticketId;
      if (!(id in window.__seen)) window.__seen[id] = Date.now();
    }
  }).observe(document.getElementById('rows'), {childList: true, subtree: true});
  for (const row of document.querySelectorAll('#rows li.row')) window.__seen[row.dataset.ticketId] = 0;
}
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engagements", type=int, default=100)
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between engagements")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="henshin-live-") as tmp:
        database = Database(make_engine(f"sqlite:///{tmp}/live.sqlite3"))
        create_schema(database.engine)
        tenant = make_tenant(database)
        settings = Settings(database_url=f"sqlite:///{tmp}/unused.sqlite3", secret_key=TEST_KEY,
                            run_workers_in_process=False)
        samples: list[float] = []
        missed = 0
        with LiveServer(create_app(settings, database=database, run_workers=False)) as live, \
                sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(locale="en-US")
            page.goto(live.url + "/login")
            page.locator("#email").fill(tenant.agent_email)
            page.locator("#password").fill(PASSWORD)
            page.locator("form[action='/login'] button[type=submit]").click()
            page.wait_for_selector("body[data-live='on']")
            page.evaluate(WATCH)
            with httpx.Client(base_url=live.url, headers=tenant.headers(), timeout=10) as http:
                for i in range(args.engagements):
                    item = engagement(text=f"ライブ更新の測定 {i}", at=datetime.now(UTC))
                    response = http.post("/api/v1/engagements",
                                         json={"channel_id": tenant.channel_id, "engagements": [item]})
                    returned_ms = time.time() * 1000
                    ticket_id = response.json()["items"][0]["ticket_id"]
                    try:
                        page.wait_for_function(f"window.__seen['{ticket_id}'] !== undefined", timeout=5000)
                        samples.append(page.evaluate(f"window.__seen['{ticket_id}']") - returned_ms)
                    except Exception:  # noqa: BLE001 - counted, not fatal
                        missed += 1
                    time.sleep(args.gap)
            browser.close()
        database.dispose()
    emit({
        "benchmark": "live_update_latency", "database": "sqlite", "engagements": args.engagements,
        "target_p95_ms": 1000, "missed": missed, "latency": percentiles(samples), "machine": machine(),
    })


if __name__ == "__main__":
    main()
