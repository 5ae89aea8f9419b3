"""`henshin analyze`: one JSON object per input line, in input order."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from henshin.understand.cli import analyze_command

SCRIPT = "from henshin.understand.cli import analyze_command; analyze_command()"


def test_reads_stdin_and_keeps_order() -> None:
    lines = ["ありがとう!", json.dumps({"text": "二重請求です", "followers": 20000}), "hello", "ok"]
    completed = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", SCRIPT], input="\n".join(lines) + "\n", capture_output=True,
        text=True, encoding="utf-8", check=True, timeout=120,
    )
    rows = [json.loads(line) for line in completed.stdout.splitlines()]
    assert len(rows) == 4
    assert rows[0]["language"] == "ja" and "gratitude_only" in rows[0]["intents"]
    assert rows[1]["urgency"]["level"] == "L3"
    assert {"money_lost", "flame_risk"} <= set(rows[1]["urgency"]["reasons"])
    assert rows[3]["language"] == "en"
    for row in rows:
        assert set(row["sentiment"]) == {"label", "score", "confidence"}
        assert set(row["spam"]) == {"is_spam", "score"}


def test_reads_a_file(tmp_path: Path, capsys: object) -> None:
    path = tmp_path / "posts.txt"
    path.write_text("最高!\n電話は03-1234-5678\n", encoding="utf-8")
    analyze_command(path)
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["sentiment"]["label"] for r in rows][0] == "positive"
    assert rows[1]["pii"] == [{"kind": "phone", "start": 3, "end": 15, "text": "03-1234-5678"}]
