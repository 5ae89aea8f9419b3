"""Take the README screenshots: the inbox, a ticket, settings and the rule builder, in Japanese and English.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Seeds the demo workspace with the demo stream (the same data as ``henshin demo``),
serves it on a free local port, and drives Debian's Chromium headless.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.live_server import LiveServer  # noqa: E402

from henshin.config import Settings  # noqa: E402
from henshin.db.base import Base  # noqa: E402
from henshin.db.engine import make_engine  # noqa: E402
from henshin.db.session import Database  # noqa: E402
from henshin.demo.generator import DemoStream  # noqa: E402
from henshin.demo.run import feed  # noqa: E402
from henshin.demo.seed import ADMIN_EMAIL, AGENTS, DEMO_PASSWORD, ensure_demo_workspace  # noqa: E402
from henshin.events.bus import Actor  # noqa: E402
from henshin.kit.time import utc_now  # noqa: E402
from henshin.tickets import actions as ticket_actions  # noqa: E402
from henshin.tickets import repository as tickets_repo  # noqa: E402
from henshin.web.app import create_app  # noqa: E402
from henshin.workspaces import repository as ws_repo  # noqa: E402


def seed(database: Database) -> int:
    """The demo workspace with a realistic backlog; returns a ticket worth showing."""
    with database.unit_of_work() as db:
        demo = ensure_demo_workspace(db)
    stream = DemoStream(seed=2026)
    items = [(i.network, i.engagement) for i in stream.backlog(60, now=utc_now(), span=timedelta(hours=6))]
    feed(database, demo.workspace_id, demo.channel_ids, items)
    with database.unit_of_work() as db:
        sato = ws_repo.user_by_email(db, AGENTS[0][0])
        assert sato is not None
        admin = Actor.user(sato.id, sato.name)
        tickets = sorted(tickets_repo.tickets_by_ids(db, demo.workspace_id, list(range(1, 80))), key=lambda t: t.id)
        shown = next(t for t in reversed(tickets) if t.kind == "comment" and t.language == "ja")
        for ticket in tickets[::4]:
            ticket_actions.do_assign(db, ticket, actor=admin, user_id=sato.id, team_id=None)
        for ticket in tickets[::5]:
            ticket_actions.do_tag(db, ticket, actor=admin, tags=["配送"])
        ticket_actions.do_tag(db, shown, actor=admin, tags=["新商品", "question"])
        ticket_actions.do_add_note(db, shown, actor=admin, text="店舗在庫を確認中です @tanaka")
        ticket_actions.do_reply(db, shown, actor=admin, text="お問い合わせありがとうございます。担当の佐藤です。確認してご連絡いたします。")
        return shown.id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="henshin-shots-") as tmp:
        url = f"sqlite:///{tmp}/demo.sqlite3"
        database = Database(make_engine(url))
        import henshin.models  # noqa: F401

        Base.metadata.create_all(database.engine)
        ticket_id = seed(database)
        settings = Settings(database_url=url, secret_key=Fernet.generate_key().decode(), run_workers_in_process=False)
        with LiveServer(create_app(settings, database=database, run_workers=False)) as live, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for lang, locale in (("ja", "ja-JP"), ("en", "en-US")):
                context = browser.new_context(locale=locale, viewport={"width": 1360, "height": 860})
                page = context.new_page()
                page.goto(live.url + "/login")
                page.locator("#email").fill(ADMIN_EMAIL)
                page.locator("#password").fill(DEMO_PASSWORD)
                page.locator("form[action='/login'] button[type=submit]").click()
                page.wait_for_selector(".inbox[data-ready='1']")
                page.wait_for_selector("[data-count-for='open']:not(:empty)")
                page.keyboard.press("j")
                page.keyboard.press("j")
                page.screenshot(path=str(out / f"inbox-{lang}.png"))
                page.goto(f"{live.url}/tickets/{ticket_id}")
                page.wait_for_selector("#ticket-page[data-ready='1']")
                page.mouse.click(5, 300)
                page.screenshot(path=str(out / f"ticket-{lang}.png"), full_page=True)
                for area in ("settings", "rules"):
                    page.goto(f"{live.url}/{area}")
                    page.screenshot(path=str(out / f"{area}-{lang}.png"), full_page=True)
                page.set_viewport_size({"width": 390, "height": 844})
                page.goto(live.url + "/inbox")
                page.wait_for_selector(".inbox[data-ready='1']")
                page.screenshot(path=str(out / f"inbox-phone-{lang}.png"))
                context.close()
            browser.close()
        database.dispose()
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))


if __name__ == "__main__":
    main()
