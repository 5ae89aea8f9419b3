"""Loaders for the shared labelled data used to train and measure henshin.understand.

The data stay in ``../shared/data`` (licenses forbid copying them into the repository);
every loader returns ``None`` when its folder is absent. Splits are fixed by a hash of the
text so training and benchmark scripts agree on which rows are held out.
"""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

DATA_DIR = Path(os.environ.get("HENSHIN_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))

SENTIMENT_LABELS = ("negative", "neutral", "positive")


def is_held_out(text: str, *, share: float = 0.3, salt: str = "henshin-understand") -> bool:
    """True for the rows a fixed hash puts in the held-out part (never trained on)."""
    digest = hashlib.sha256((salt + text).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def fold_of(text: str, folds: int) -> int:
    """Cross-validation fold of a training row, fixed by a hash of its text."""
    digest = hashlib.sha256(("henshin-cv" + text).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % folds


def tweeteval_sentiment() -> list[tuple[str, str]] | None:
    """TweetEval sentiment validation rows as (text, label)."""
    folder = DATA_DIR / "tweeteval" / "sentiment"
    if not folder.is_dir():
        return None
    texts = (folder / "val_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (folder / "val_labels.txt").read_text(encoding="utf-8").splitlines()
    return [(t.strip(), SENTIMENT_LABELS[int(y)]) for t, y in zip(texts, labels, strict=True)]


def wrime_polarity() -> list[tuple[str, str]] | None:
    """WRIME ver1 dev rows as (text, polarity) derived from the readers' average (PROVENANCE)."""
    path = DATA_DIR / "wrime-ver1" / "wrime-ver1-dev.tsv"
    if not path.is_file():
        return None
    rows: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            avg = {k: float(row[f"Avg. Readers_{k}"]) for k in
                   ("Joy", "Trust", "Sadness", "Anger", "Fear", "Disgust")}
            pos = avg["Joy"] + avg["Trust"]
            neg = avg["Sadness"] + avg["Anger"] + avg["Fear"] + avg["Disgust"]
            label = "positive" if pos - neg >= 0.5 else "negative" if neg - pos >= 0.5 else "neutral"
            rows.append((row["Sentence"].replace("\\n", "\n"), label))
    return rows


def complaints() -> list[tuple[str, bool]] | None:
    """Complaints data as (text, is_complaint)."""
    path = DATA_DIR / "complaints" / "complaints_dev.csv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["label"].strip() == "1") for row in csv.DictReader(handle)]


def sms_spam() -> list[tuple[str, bool]] | None:
    """SMS Spam Collection rows as (text, is_spam)."""
    path = DATA_DIR / "sms-spam" / "sms_spam_train.tsv"
    if not path.is_file():
        return None
    rows: list[tuple[str, bool]] = []
    with path.open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            label, _, text = line.rstrip("\n").partition("\t")
            rows.append((text, label == "spam"))
    return rows
