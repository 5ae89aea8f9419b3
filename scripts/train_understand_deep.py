"""Train the deep-mode heads (multilingual USE v3 embeddings) from ../shared/data, reproducibly.

    .venv/bin/python scripts/train_understand_deep.py [--no-write]

Writes ``src/henshin/understand/models/deep.npz`` (needs ``pip install -e '.[deep]'``).
Nothing is cached: the texts are embedded on each run (about a minute on one core).

- Complaint: a logistic head on USE, blended with the shipped n-gram model's probability.
  The blend weight, threshold, and whether a strongly negative sentiment still counts as a
  complaint on its own (the fast rule) are chosen by 5-fold CV on the training rows (the
  n-gram side out of fold too), on the decision the product makes, phrase rules included.
- Polarity: a 3-class head on USE from the English sentiment rows. English sentiment blends
  it with the n-gram model (weight and class offsets by CV on TweetEval training rows);
  Japanese blends it, cross-lingually, with the lexicon score (weight and two thresholds
  chosen on the WRIME calibration half; WRIME trains no weight). Each blend ships only if
  its own selection data say it beats the fast path; otherwise that language stays fast.

Held-out rows (``understand_data.is_held_out``; the WRIME report half) are only reported.
Deterministic: full-batch AdaGrad from zeros, one BLAS thread, a fixed-date archive.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

import train_understand as fast  # noqa: E402
import understand_data as data  # noqa: E402

from henshin.understand import analyze_many, fold  # noqa: E402
from henshin.understand.batch import CJK_LANGUAGES  # noqa: E402
from henshin.understand.deep import (  # noqa: E402
    DeepHeads,
    blend_complaint,
    blend_english,
    blend_japanese,
    complaint_probability,
    embed,
    japanese_label,
    polarity_probabilities,
    softmax,
)
from henshin.understand.intent import COMPLAINT_PHRASES  # noqa: E402
from henshin.understand.linear import load_model  # noqa: E402

MODELS = REPO / "src" / "henshin" / "understand" / "models"
Floats = npt.NDArray[np.float64]
LABELS = data.SENTIMENT_LABELS
# The settings train_understand.py's CV chose for the shipped sentiment_en model (NB α 0.5,
# l2 3e-3); its class offsets are recomputed here the same way, so the out-of-fold fast
# probabilities are on the shipped model's scale.
SENTIMENT_SETTINGS = fast.FitSettings(l2=3e-3, steps=200, rate=0.5, nb_alpha=0.5)
HEAD_L2 = (1e-3, 1e-2)
BLENDS = tuple(round(0.1 * i, 1) for i in range(1, 11))
COMPLAINT_THRESHOLDS = tuple(round(0.2 + 0.025 * i, 3) for i in range(21))
JA_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 13))


def fit_head(x: Floats, y: npt.NDArray[np.int64], k: int, *, l2: float, balanced: bool,
             steps: int = 500, rate: float = 1.0) -> tuple[Floats, Floats]:
    """Softmax regression on dense embeddings, full-batch AdaGrad from zeros (deterministic)."""
    n, d = x.shape
    weights, bias = np.zeros((d, k)), np.zeros(k)
    history_w, history_b = np.full((d, k), 1e-8), np.full(k, 1e-8)
    onehot = np.eye(k)[y]
    counts = np.maximum(np.bincount(y, minlength=k), 1)
    sample_weight = (n / (k * counts))[y] if balanced else np.ones(n)
    for _ in range(steps):
        g = (softmax(x @ weights + bias) - onehot) * sample_weight[:, None] / n
        grad_w, grad_b = x.T @ g + l2 * weights, g.sum(axis=0)
        history_w += grad_w**2
        history_b += grad_b**2
        weights -= rate * grad_w / np.sqrt(history_w)
        bias -= rate * grad_b / np.sqrt(history_b)
    return weights, bias


def head_out_of_fold(x: Floats, y: npt.NDArray[np.int64], folds: Sequence[int], k: int, *,
                     l2: float, balanced: bool) -> Floats:
    """Each row's head probabilities from a head fitted without its fold."""
    folds_a = np.array(folds)
    out = np.zeros((len(y), k))
    for f in range(fast.FOLDS):
        w, b = fit_head(x[folds_a != f], y[folds_a != f], k, l2=l2, balanced=balanced)
        out[folds_a == f] = softmax(x[folds_a == f] @ w + b)
    return out


def placeholder_heads(**changes: object) -> DeepHeads:
    """Heads whose unset parts are neutral, to score one blend at a time with deep.py's own
    formulas (the runtime code is the code measured)."""
    values: dict[str, object] = {
        "complaint_weights": np.zeros(512), "complaint_bias": 0.0, "complaint_blend": 0.0,
        "complaint_at": 0.5, "complaint_with_sentiment": True, "polarity_weights": np.zeros((512, 3)), "polarity_bias": np.zeros(3),
        "english_blend": None, "english_offsets": np.zeros(3), "japanese_blend": None,
        "japanese_positive_at": 0.5, "japanese_negative_at": -0.5,
    }
    values.update(changes)
    return DeepHeads(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class NonModelParts:
    """The parts of the complaint decision that are not the model, per text."""

    rules: npt.NDArray[np.bool_]  # the phrase rules
    negative: npt.NDArray[np.bool_]  # a strongly negative sentiment, as deep mode reads it
    judged: npt.NDArray[np.bool_]  # the texts the head judges (English-model texts)

    def other(self, with_sentiment: bool) -> npt.NDArray[np.bool_]:
        return self.rules | (self.negative & (with_sentiment | ~self.judged))


def non_model_parts(texts: Sequence[str], polarity: DeepHeads) -> NonModelParts:
    """Rules and sentiment as ``intent.analyze_intents`` sees them in deep mode; the English
    sentiment is deep.py's blend when ``polarity`` ships one (neither model saw these rows)."""
    analyses = analyze_many(texts)
    negative = np.array([a.sentiment.label == "negative" and a.sentiment.score <= -0.6 for a in analyses])
    judged = np.array([a.language not in CJK_LANGUAGES for a in analyses])
    if polarity.english_blend is not None:
        english = [i for i, a in enumerate(analyses) if judged[i] and a.language != "unknown"]
        chosen = [texts[i] for i in english]
        rows = blend_english(polarity, load_model("sentiment_en").probabilities(chosen).astype(np.float64),
                             polarity_probabilities(polarity, embed(chosen)))
        negative[english] = (rows.argmax(axis=1) == 0) & (rows[:, 0] - rows[:, 2] >= 0.6)
    rules = np.array([bool(COMPLAINT_PHRASES.search(fold(t))) for t in texts])
    return NonModelParts(rules=rules, negative=negative, judged=judged)


def train_complaint(rows: list[tuple[str, bool]], held: list[tuple[str, bool]],
                    polarity: DeepHeads) -> tuple[Floats, float, float, float, bool]:
    """The complaint head, its blend weight and threshold, and whether the negative-sentiment
    clause stays, chosen by CV."""
    texts, labels = fast.binary(rows)
    gold = [y for _, y in rows]
    folds = [data.fold_of(t, fast.FOLDS) for t in texts]
    threshold = fast.tuned_threshold(rows, fast.COMPLAINT_SETTINGS)
    raw = fast.out_of_fold(texts, labels, ("no", "yes"), fast.COMPLAINT_SETTINGS)[:, 1]
    # On the shipped model's scale: its threshold is folded into its bias.
    ngram = 1 / (1 + np.exp(-(np.log(raw / (1 - raw)) - np.log(threshold / (1 - threshold)))))
    parts = non_model_parts(texts, polarity)
    fast_parts = non_model_parts(texts, placeholder_heads())
    x = embed(texts)
    y = np.array([int(v) for v in gold])
    fast_cv = fast.f1(gold, list((ngram >= 0.5) | fast_parts.other(True)))
    print(f"complaint fast path CV F1 {fast_cv:.4f}")
    best: tuple[float, float, float, float, bool] | None = None
    for l2 in HEAD_L2:
        use = head_out_of_fold(x, y, folds, 2, l2=l2, balanced=False)[:, 1]
        for with_sentiment in (True, False):
            other = parts.other(with_sentiment)
            for blend in BLENDS:
                for at in COMPLAINT_THRESHOLDS:
                    heads = placeholder_heads(complaint_blend=blend, complaint_at=at)
                    score = fast.f1(gold, list((blend_complaint(heads, ngram, use) >= 0.5) | other))
                    if best is None or score > best[0] + 1e-9:
                        best = (score, l2, blend, at, with_sentiment)
            print(f"  complaint CV with l2 {l2}, negative-sentiment clause {with_sentiment}: "
                  f"best so far {best[0] if best else 0.0:.4f}")
    assert best is not None
    score, l2, blend, at, with_sentiment = best
    print(f"complaint deep CV F1 {score:.4f} (head l2 {l2}, blend {blend}, threshold {at}, "
          f"negative-sentiment clause {with_sentiment})")
    w, b = fit_head(x, y, 2, l2=l2, balanced=False)
    weights, bias = w[:, 1] - w[:, 0], float(b[1] - b[0])
    # Held-out, reported only: the shipped n-gram model, as at run time.
    held_texts = [t for t, _ in held]
    shipped = load_model("complaint").probabilities(held_texts)[:, 1].astype(np.float64)
    heads = placeholder_heads(complaint_weights=weights, complaint_bias=bias, complaint_blend=blend,
                              complaint_at=at)
    deep = blend_complaint(heads, shipped, complaint_probability(heads, embed(held_texts))) >= 0.5
    held_fast = non_model_parts(held_texts, placeholder_heads()).other(True)
    held_other = non_model_parts(held_texts, polarity).other(with_sentiment)
    held_gold = [y for _, y in held]
    print(f"complaint held-out F1: fast {fast.f1(held_gold, list((shipped >= 0.5) | held_fast)):.4f}, "
          f"deep {fast.f1(held_gold, list(deep | held_other)):.4f}")
    return weights, bias, blend, at, with_sentiment


def train_polarity(rows: list[tuple[str, str]], metric_texts: set[str],
                   held: list[tuple[str, str]]) -> tuple[Floats, Floats, float | None, Floats]:
    """The polarity head, and the English blend weight and offsets if CV prefers the blend."""
    texts, labels = [t for t, _ in rows], [y for _, y in rows]
    own = [i for i, t in enumerate(texts) if t in metric_texts]
    own_gold = [labels[i] for i in own]
    folds = [data.fold_of(t, fast.FOLDS) for t in texts]
    oof = fast.out_of_fold(texts, labels, LABELS, SENTIMENT_SETTINGS)
    offsets, fast_cv = fast.class_offsets(oof[own], own_gold, LABELS)
    ngram = softmax(np.log(oof + 1e-9) + offsets)  # the shipped model bakes the offsets in
    print(f"sentiment_en fast path CV macro-recall {fast_cv:.4f} (offsets {offsets.tolist()})")
    x = embed(texts)
    y = np.array([LABELS.index(label) for label in labels])
    best: tuple[float, float, float, Floats] | None = None
    for l2 in HEAD_L2:
        use = head_out_of_fold(x, y, folds, 3, l2=l2, balanced=True)
        for blend in BLENDS:
            blended = (1 - blend) * ngram[own] + blend * use[own]
            shift, score = fast.class_offsets(blended, own_gold, LABELS)
            if best is None or score > best[0] + 1e-9:
                best = (score, l2, blend, np.asarray(shift, dtype=np.float64))
    assert best is not None
    score, l2, blend, offs = best
    ships = score > fast_cv
    print(f"sentiment_en deep CV macro-recall {score:.4f} (head l2 {l2}, blend {blend}, offsets "
          f"{offs.tolist()}): {'ships' if ships else 'not shipped, English stays fast'}")
    w, b = fit_head(x, y, 3, l2=l2, balanced=True)
    held_texts, held_gold = [t for t, _ in held], [g for _, g in held]
    shipped = load_model("sentiment_en").probabilities(held_texts).astype(np.float64)
    heads = placeholder_heads(polarity_weights=w, polarity_bias=b, english_blend=blend, english_offsets=offs)
    deep = blend_english(heads, shipped, polarity_probabilities(heads, embed(held_texts)))
    print(f"sentiment_en held-out macro-recall (bare models): fast "
          f"{fast.macro_recall(held_gold, [LABELS[i] for i in shipped.argmax(axis=1)]):.4f}, deep "
          f"{fast.macro_recall(held_gold, [LABELS[i] for i in deep.argmax(axis=1)]):.4f}")
    return w, b, (blend if ships else None), (offs if ships else np.zeros(3, dtype=np.float64))


def calibrate_japanese(w: Floats, b: Floats) -> tuple[float | None, float, float]:
    """Blend weight and thresholds for Japanese on the WRIME calibration half (no training)."""
    wrime = data.wrime_polarity() or []
    halves = {"calibration": [r for r in wrime if not data.is_held_out(r[0], share=0.5, salt="wrime")],
              "report": [r for r in wrime if data.is_held_out(r[0], share=0.5, salt="wrime")]}
    prepared = {}
    for name, rows in halves.items():
        texts = [t for t, _ in rows]
        analyses = analyze_many(texts)
        japanese = np.array([a.language == "ja" for a in analyses])
        fast_labels = [a.sentiment.label for a in analyses]
        scores = np.array([a.sentiment.score for a in analyses])
        heads = placeholder_heads(polarity_weights=w, polarity_bias=b)
        prepared[name] = ([g for _, g in rows], japanese, fast_labels, scores,
                          polarity_probabilities(heads, embed(texts)))
    gold, japanese, fast_labels, scores, use = prepared["calibration"]
    fast_f1 = fast.macro_f1(gold, fast_labels)
    best: tuple[float, float, float, float] | None = None
    for blend in BLENDS:
        for positive in JA_THRESHOLDS:
            for negative in JA_THRESHOLDS:
                heads = placeholder_heads(japanese_blend=blend, japanese_positive_at=positive,
                                          japanese_negative_at=-negative)
                blended = blend_japanese(heads, scores, use)
                labels = [japanese_label(heads, s) if ja else f
                          for s, ja, f in zip(blended, japanese, fast_labels, strict=True)]
                score = fast.macro_f1(gold, labels)
                if best is None or score > best[0] + 1e-9:
                    best = (score, blend, positive, -negative)
    assert best is not None
    score, blend, positive, negative = best
    ships = score > fast_f1
    print(f"ja WRIME calibration half macro-F1: fast {fast_f1:.4f}, deep {score:.4f} (blend {blend}, "
          f"positive ≥ {positive}, negative ≤ {negative}): "
          f"{'ships' if ships else 'not shipped, Japanese stays fast'}")
    gold, japanese, fast_labels, scores, use = prepared["report"]
    heads = placeholder_heads(japanese_blend=blend, japanese_positive_at=positive, japanese_negative_at=negative)
    labels = [japanese_label(heads, s) if ja else f
              for s, ja, f in zip(blend_japanese(heads, scores, use), japanese, fast_labels, strict=True)]
    print(f"ja WRIME report half macro-F1: fast {fast.macro_f1(gold, fast_labels):.4f}, deep {fast.macro_f1(gold, labels):.4f}")
    return (blend if ships else None), positive, negative


def main() -> None:
    """Train, report, and write the artifact."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true", help="train and report only")
    parser.add_argument("--out", type=Path, default=MODELS / "deep.npz", help="where to write the heads")
    args = parser.parse_args()
    tweeteval, complaints = data.tweeteval_sentiment(), data.complaints()
    if tweeteval is None or complaints is None or data.wrime_polarity() is None:
        raise SystemExit(f"shared data not found under {data.DATA_DIR}")

    te_held = [(t, y) for t, y in tweeteval if data.is_held_out(t)]
    p_weights, p_bias, en_blend, en_offsets = train_polarity(
        fast.sentiment_training_rows(), {t for t, _ in tweeteval}, te_held)
    polarity = placeholder_heads(polarity_weights=p_weights, polarity_bias=p_bias, english_blend=en_blend,
                                 english_offsets=en_offsets)
    c_train = [(t, y) for t, y in complaints if not data.is_held_out(t)]
    c_held = [(t, y) for t, y in complaints if data.is_held_out(t)]
    c_weights, c_bias, c_blend, c_at, c_sentiment = train_complaint(c_train, c_held, polarity)
    ja_blend, ja_positive, ja_negative = calibrate_japanese(p_weights, p_bias)
    heads = DeepHeads(
        complaint_weights=c_weights, complaint_bias=c_bias, complaint_blend=c_blend, complaint_at=c_at,
        complaint_with_sentiment=c_sentiment, polarity_weights=p_weights, polarity_bias=p_bias, english_blend=en_blend,
        english_offsets=en_offsets, japanese_blend=ja_blend, japanese_positive_at=ja_positive,
        japanese_negative_at=ja_negative,
    )
    if not args.no_write:
        heads.save(str(args.out))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
