"""Choose the Japanese sentiment thresholds and the induced-lexicon weight on WRIME's calibration half.

    .venv/bin/python scripts/calibrate_understand_ja.py

WRIME is evaluation/calibration only: nothing is fitted on it except these four scalars,
chosen on the calibration half; benchmarks/understand.py reports on the other half. Copy
the printed values into henshin/understand/sentiment.py and lexicon.py (INDUCED_WEIGHT,
EXCLAMATION_VALENCE).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

import understand_data as data  # noqa: E402

from henshin.understand import lexicon  # noqa: E402
from henshin.understand.normalize import fold  # noqa: E402


def _macro_f1(gold: list[str], predicted: list[str]) -> float:
    scores = []
    for c in sorted(set(gold)):
        tp = sum(g == c and p == c for g, p in zip(gold, predicted, strict=True))
        wrong = sum((g == c) != (p == c) for g, p in zip(gold, predicted, strict=True))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + wrong))
    return sum(scores) / len(scores)


def main() -> None:
    """Grid-search the weight and thresholds; print the best on the calibration half."""
    rows = data.wrime_polarity()
    if rows is None:
        raise SystemExit(f"WRIME not found under {data.DATA_DIR}")
    calibration = [r for r in rows if not data.is_held_out(r[0], share=0.5, salt="wrime")]
    gold = [y for _, y in calibration]
    parts = []
    lexicon.EXCLAMATION_VALENCE = 0.0
    for text, _ in calibration:
        folded = fold(text)
        lexicon.INDUCED_WEIGHT = 0.0
        hand, _ = lexicon.japanese_valence(folded)
        lexicon.INDUCED_WEIGHT = 1.0
        both, _ = lexicon.japanese_valence(folded)
        exclaimed = hand >= 0 and "!" in folded  # as lexicon.japanese_valence counts it
        parts.append((hand + lexicon.emoji_valence(text), both - hand, exclaimed))
    best = (0.0, 0.0, 0.0, 0.0, 0.0)
    for weight in (0.0, 0.1, 0.2, 0.35, 0.5, 1.0):
        for exclamation in (0.0, 0.5, 1.0, 1.5):
            scores = [hand + weight * induced + exclamation * exclaimed
                      for hand, induced, exclaimed in parts]
            for positive_at in [0.25 * i for i in range(1, 16)]:
                for negative_at in [0.25 * i for i in range(1, 16)]:
                    predicted = ["positive" if s >= positive_at else "negative" if s <= -negative_at
                                 else "neutral" for s in scores]
                    f = _macro_f1(gold, predicted)
                    if f > best[0]:
                        best = (f, weight, exclamation, positive_at, -negative_at)
    print(f"calibration macro-F1 {best[0]:.3f}: INDUCED_WEIGHT={best[1]} "
          f"EXCLAMATION_VALENCE={best[2]} JA_POSITIVE_AT={best[3]} JA_NEGATIVE_AT={best[4]}")


if __name__ == "__main__":
    main()
