"""Replaying real support conversations on X: the reports match figures computed from the raw file."""

from __future__ import annotations

import csv
import os
import statistics
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.imports.twcs import import_twcs
from henshin.models.workspace import Role
from henshin.workspaces import repository as ws_repo
from henshin.workspaces.actions import do_add_member, do_create_api_token, do_create_user

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "twcs-sample" / "twcs_sample.csv"
if not SAMPLE.exists():
    SAMPLE = Path("/work/shared/data/twcs-sample/twcs_sample.csv")
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="the twcs sample (../shared/data/twcs-sample) is absent")


def expected_from_raw(path: Path) -> dict[str, dict[str, object]]:
    """First response per brand, straight from the CSV: a ticket starts at a customer tweet that
    does not answer the same customer's conversation; the first brand tweet answering into it ends
    the wait."""
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    when = {r["tweet_id"]: datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y") for r in rows}
    rows.sort(key=lambda r: (when[r["tweet_id"]], int(r["tweet_id"])))
    ticket_of: dict[str, str] = {}
    customer: dict[str, str] = {}
    first_reply: dict[str, tuple[str, float]] = {}
    for r in rows:
        parent = r["in_response_to_tweet_id"] or None
        parent_ticket = ticket_of.get(parent) if parent else None
        if r["inbound"] == "TRUE":
            if parent_ticket is not None and customer[parent_ticket] == r["author_id"]:
                ticket_of[r["tweet_id"]] = parent_ticket
            else:
                ticket_of[r["tweet_id"]] = r["tweet_id"]
                customer[r["tweet_id"]] = r["author_id"]
        elif parent_ticket is not None:
            ticket_of[r["tweet_id"]] = parent_ticket
            if parent_ticket not in first_reply:
                wait = (when[r["tweet_id"]] - when[parent_ticket]).total_seconds()
                first_reply[parent_ticket] = (r["author_id"], wait)
    per_brand: dict[str, list[float]] = {}
    for brand, wait in first_reply.values():
        per_brand.setdefault(brand, []).append(wait)
    return {
        "tickets": {"count": len(customer)},
        **{brand: {"responded": len(w), "median": statistics.median(w), "mean": sum(w) / len(w)}
           for brand, w in per_brand.items()},
    }


def token_for(database: Database, slug: str) -> str:
    with database.unit_of_work() as db:
        ws = ws_repo.workspace_by_slug(db, slug)
        assert ws is not None
        user = do_create_user(db, email=f"manager@{slug}.example", name="Manager", password=None)
        do_add_member(db, workspace=ws, user=user, role=Role.ADMIN)
        return do_create_api_token(db, workspace_id=ws.id, user_id=user.id, name="t").token


def test_first_response_per_brand_matches_the_raw_file(client: TestClient, database: Database) -> None:
    expected = expected_from_raw(SAMPLE)
    summary = import_twcs(database, SAMPLE, workspace_slug="twcs-replay")
    assert summary.replies > 50 and summary.customer_tweets > 50
    again = import_twcs(database, SAMPLE, workspace_slug="twcs-replay")
    assert again.duplicates == again.tweets - again.skipped_replies  # a second replay adds nothing

    headers = {"Authorization": f"Bearer {token_for(database, 'twcs-replay')}"}
    params = {"group_by": "channel", "include_spam": "true"}
    body = client.get("/api/v1/reports/first-response-time", params=params, headers=headers).json()
    assert body["total"]["values"]["tickets"] == expected["tickets"]["count"]
    by_brand = {g["label"]: g["values"] for g in body["groups"]}
    brands = {b for b in expected if b != "tickets"}
    assert {"sprintcare", "AdobeCare", "ChipotleTweets", "AmazonHelp"} <= brands
    for brand in brands:
        got = by_brand[brand]
        assert got["responded"] == expected[brand]["responded"], brand
        assert got["calendar"]["median"] == pytest.approx(expected[brand]["median"]), brand
        assert got["calendar"]["mean"] == pytest.approx(expected[brand]["mean"], abs=0.001), brand
    # With no business hours set, business time equals calendar time.
    assert body["total"]["values"]["business"] == body["total"]["values"]["calendar"]


def test_the_import_and_report_commands(tmp_path: Path) -> None:
    env = {**os.environ, "HENSHIN_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}

    def henshin(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "henshin.cli", *args], env=env,  # noqa: S603
                              capture_output=True, text=True, timeout=120)

    assert henshin("migrate").returncode == 0
    imported = henshin("import", "twcs", str(SAMPLE), "--workspace", "replay")
    assert imported.returncode == 0, imported.stderr
    assert "customer tweets" in imported.stdout and "11 brands" in imported.stdout
    out = henshin("report", "first-response-time", "--group-by", "channel", "--format", "csv",
                  "--workspace", "replay", "--from", "2017-10-01", "--to", "2017-12-31")
    assert out.returncode == 0, out.stderr
    lines = list(csv.DictReader(out.stdout.splitlines()))
    assert "sprintcare" in {row["label"] for row in lines}
    rebuilt = henshin("report", "rebuild", "--workspace", "replay")
    assert rebuilt.returncode == 0 and "rebuilt the report facts of" in rebuilt.stdout
    again = henshin("report", "first-response-time", "--group-by", "channel", "--format", "csv",
                    "--workspace", "replay", "--from", "2017-10-01", "--to", "2017-12-31")
    assert again.stdout == out.stdout  # the incremental facts equal a rebuild from history
    bad = henshin("report", "speed", "--workspace", "replay")
    assert bad.returncode == 2 and "unknown metric" in bad.stderr
    missing = henshin("import", "twcs", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "not a file" in missing.stderr
