"""Choose the Japanese sentiment scalars on WRIME's calibration half.

    .venv/bin/python scripts/calibrate_understand_ja.py

WRIME is evaluation/calibration only: nothing is fitted on it except these six scalars
(the induced-lexicon weight, the exclamation valence, the contrast and question weights and
the two thresholds), chosen on the calibration half; benchmarks/understand.py reports on the
other half. Copy the printed values into henshin/understand/lexicon.py (INDUCED_WEIGHT,
EXCLAMATION_VALENCE, CONTRAST_WEIGHT) and sentiment.py (JA_QUESTION_WEIGHT, JA_POSITIVE_AT,
JA_NEGATIVE_AT).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

import understand_data as data  # noqa: E402

from henshin.understand import lexicon  # noqa: E402
from henshin.understand.normalize import fold  # noqa: E402
from henshin.understand.sentiment import is_question  # noqa: E402

LABELS = ("negative", "neutral", "positive")


def _macro_f1(gold: npt.NDArray[np.int64], predicted: npt.NDArray[np.int64]) -> float:
    scores = []
    for c in range(len(LABELS)):
        tp = int(((gold == c) & (predicted == c)).sum())
        wrong = int(((gold == c) != (predicted == c)).sum())
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + wrong))
    return sum(scores) / len(scores)


def _valence(folded: str, *, induced: float, contrast: float) -> float:
    """lexicon.japanese_valence without the exclamation, with the given weights."""
    lexicon.INDUCED_WEIGHT, lexicon.CONTRAST_WEIGHT = induced, contrast
    return lexicon.japanese_valence(folded)[0]


def main() -> None:
    """Grid-search the scalars; print the best on the calibration half."""
    rows = data.wrime_polarity()
    if rows is None:
        raise SystemExit(f"WRIME not found under {data.DATA_DIR}")
    calibration = [r for r in rows if not data.is_held_out(r[0], share=0.5, salt="wrime")]
    gold = np.array([LABELS.index(y) for _, y in calibration])
    lexicon.EXCLAMATION_VALENCE = 0.0
    # Each score is linear in the weights, so a few evaluations per text give every point.
    main_part, conceded, induced, bang, emoji, question = (np.zeros(len(calibration)) for _ in range(6))
    for i, (text, _) in enumerate(calibration):
        folded = fold(text)
        main_part[i] = _valence(folded, induced=0.0, contrast=0.0)
        conceded[i] = _valence(folded, induced=0.0, contrast=1.0) - main_part[i]
        induced[i] = _valence(folded, induced=1.0, contrast=0.0) - main_part[i]
        bang[i] = "!" in folded
        emoji[i] = lexicon.emoji_valence(text)
        question[i] = is_question(folded)
    thresholds = [0.25 * i for i in range(1, 16)]
    best: tuple[float, ...] = (0.0,)
    grid = itertools.product((0.0, 0.1, 0.2, 0.35, 0.5, 1.0), (0.0, 0.5, 1.0, 1.5),
                             (0.3, 0.5, 0.7, 1.0), (0.25, 0.5, 0.75, 1.0))
    for weight, exclamation, contrast, question_weight in grid:
        hand = main_part + contrast * conceded
        # As lexicon.japanese_valence: no exclamation lift on a post whose words are negative.
        scores = hand + weight * induced + exclamation * (bang * (hand >= 0)) + emoji
        scores = np.where(question > 0, scores * question_weight, scores)
        for positive_at, negative_at in itertools.product(thresholds, thresholds):
            predicted = np.where(scores >= positive_at, 2, np.where(scores <= -negative_at, 0, 1))
            f = _macro_f1(gold, predicted)
            if f > best[0]:
                best = (f, weight, exclamation, contrast, question_weight, positive_at, -negative_at)
    print(f"calibration macro-F1 {best[0]:.3f}: INDUCED_WEIGHT={best[1]} EXCLAMATION_VALENCE={best[2]} "
          f"CONTRAST_WEIGHT={best[3]} JA_QUESTION_WEIGHT={best[4]} JA_POSITIVE_AT={best[5]} "
          f"JA_NEGATIVE_AT={best[6]}")


if __name__ == "__main__":
    main()
