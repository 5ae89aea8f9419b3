"""Quality floors on held-out shared data (skipped where ../shared/data is absent).

Floors sit below the measured figures (benchmarks/understand.py) to catch regressions,
not to restate the targets.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import understand_data as data  # noqa: E402

from henshin.understand import analyze_many  # noqa: E402


def _f1(gold: list[bool], predicted: list[bool]) -> float:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    wrong = sum(g != p for g, p in zip(gold, predicted, strict=True))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + wrong)


def test_spam_f1_on_held_out_sms() -> None:
    rows = data.sms_spam()
    if rows is None:
        pytest.skip(f"SMS spam data not found under {data.DATA_DIR}")
    held = [r for r in rows if data.is_held_out(r[0])]
    predicted = [a.spam.is_spam for a in analyze_many([t for t, _ in held])]
    assert _f1([y for _, y in held], predicted) >= 0.95


def test_complaint_f1_on_held_out_complaints() -> None:
    rows = data.complaints()
    if rows is None:
        pytest.skip(f"complaints data not found under {data.DATA_DIR}")
    held = [r for r in rows if data.is_held_out(r[0])]
    predicted = ["complaint" in a.intents for a in analyze_many([t for t, _ in held])]
    assert _f1([y for _, y in held], predicted) >= 0.70


def test_japanese_sentiment_beats_oseti_on_wrime_report_half() -> None:
    rows = data.wrime_polarity()
    if rows is None:
        pytest.skip(f"WRIME not found under {data.DATA_DIR}")
    report = [r for r in rows if data.is_held_out(r[0], share=0.5, salt="wrime")]
    predicted = [a.sentiment.label for a in analyze_many([t for t, _ in report])]
    gold = [y for _, y in report]
    per_class = []
    for c in ("negative", "neutral", "positive"):
        tp = sum(g == c and p == c for g, p in zip(gold, predicted, strict=True))
        wrong = sum((g == c) != (p == c) for g, p in zip(gold, predicted, strict=True))
        per_class.append(0.0 if tp == 0 else 2 * tp / (2 * tp + wrong))
    assert sum(per_class) / 3 >= 0.57


def test_english_sentiment_macro_recall_on_held_out_tweeteval() -> None:
    rows = data.tweeteval_sentiment()
    if rows is None:
        pytest.skip(f"TweetEval not found under {data.DATA_DIR}")
    held = [r for r in rows if data.is_held_out(r[0])]
    predicted = [a.sentiment.label for a in analyze_many([t for t, _ in held])]
    recalls = []
    for c in ("negative", "neutral", "positive"):
        rows_c = [p for p, (_, g) in zip(predicted, held, strict=True) if g == c]
        recalls.append(sum(p == c for p in rows_c) / len(rows_c))
    assert sum(recalls) / 3 >= 0.61
