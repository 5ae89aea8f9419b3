"""The ``henshin`` command line, run as a user would (a subprocess on a fresh SQLite file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from henshin.config import Settings
from henshin.db.engine import make_engine
from henshin.db.session import Database
from henshin.web.app import create_app


def henshin(*args: str, env: dict[str, str], input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "henshin.cli", *args], env=env, input=input_text,
                          capture_output=True, text=True, timeout=120)


def test_set_up_a_workspace_from_the_command_line(tmp_path: Path, settings: Settings) -> None:
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    env = {**os.environ, "HENSHIN_DATABASE_URL": url}
    assert "up to date" in henshin("migrate", env=env).stdout
    assert henshin("workspace", "create", "tea-cafe", "--name", "ほうじ茶カフェ", env=env).returncode == 0
    made = henshin("user", "create", "aoi@tea.example", "--password", "s3cret-pass", "--name", "葵",
                   "--workspace", "tea-cafe", "--role", "admin", env=env)
    assert made.returncode == 0, made.stderr
    token = henshin("token", "create", "--workspace", "tea-cafe", "--email", "aoi@tea.example", env=env).stdout.strip()
    assert token.startswith("hs_")
    duplicate = henshin("workspace", "create", "tea-cafe", env=env)
    assert duplicate.returncode == 2 and "already exists" in duplicate.stderr
    database = Database(make_engine(url))
    with TestClient(create_app(settings, database=database, run_workers=False)) as client:
        me = client.get("/api/v1/workspace", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["name"] == "ほうじ茶カフェ"
        assert me.json()["members"][0]["role"] == "admin"
    database.dispose()


def test_analyze_prints_one_json_object_per_line_in_order(tmp_path: Path) -> None:
    env = {**os.environ, "HENSHIN_DATABASE_URL": f"sqlite:///{tmp_path}/a.sqlite3"}
    out = henshin("analyze", env=env, input_text="営業時間は何時までですか？\nthanks, all sorted\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["language"] for r in rows] == ["ja", "en"]
    assert "gratitude_only" in rows[1]["intents"]
