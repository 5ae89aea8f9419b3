"""How alike two pieces of reply text are, by character n-grams over folded text.

Character n-grams need no tokenizer, so the same measure works for Japanese, English and
text that mixes both. Text is folded first (width, case, kana) and the parts that make two
replies look different without changing the guidance are dropped: @handles, URLs, the
agent's initials (``^JK``, ``-Becky``) and punctuation runs.

Used by the "repeating yourself" guard and by the suggestion index.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from henshin.understand.normalize import fold

# Tuned on labelled pairs (tests/replies/test_similarity.py) and on one brand's real answers
# in the twcs sample: the same guidance in other words ("please send us a private message…"
# / "please shoot us a DM…", "sadly we don't have information" / "unfortunately we don't
# have any information") scores 0.59-0.77; different guidance of the same brand scores up
# to 0.57, and Japanese pairs behave alike once courtesy formulas are dropped. Rewording
# with other vocabulary (更新 / アップデート) is beyond character n-grams.
NEAR_DUPLICATE_THRESHOLD = 0.55

_HANDLE = re.compile(r"(?<![\w@])[@＠][A-Za-z0-9_]{1,30}")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Agent sign-offs at the end of a reply: "^JK", "-Becky", "— Ty", "(担当: 山田)".
_SIGN_OFF = re.compile(r"(?:\s[\^\-—–]\s?[A-Za-z]{1,12}|\s?[（(]担当[:：]?[^）)]{1,12}[）)])\s*$")
# Courtesy that every reply of a brand shares and that says nothing about the guidance:
# greetings, thanks, apologies, sign-off formulas. Matched on folded text.
# The lookahead lists every character an alternative can start with (the Japanese ones
# in kana as folded and as written): re then skips all other positions at once, which
# makes this pattern about 3x faster on long texts (index builds fold thousands of them).
_COURTESY = re.compile(
    r"(?=[ごお大申こコりリい頂誠あ恐よhgwisamt])(?:"
    r"(?:ご不便|ご迷惑|ご心配|お手数)を?おかけ(?:して|し)?(?:おり)?(?:大変)?(?:申し訳(?:ございません|ありません)|すみません)|"
    r"(?:大変)?申し訳(?:ございません|ありません)|"
    r"(?:お問い合わせ|ご連絡|ご指摘|コメント|リプライ|ご意見)?(?:いただき|頂き)?(?:誠に)?(?:ありがとうございます|ありがとうございました)|"
    r"(?:恐れ入りますが|お手数(?:ですが|をおかけしますが|です)|よろしくお願い(?:いた|致)します)|"
    r"\b(?:hi|hello|hey)(?: there)?\b|\bgood (?:morning|afternoon|evening)\b|"
    r"\b(?:we'?re|i'?m|we are|i am) (?:so |very |really )?sorry(?: to hear (?:that|this))?\b|"
    r"\b(?:sorry|apologies|my apologies|we apologi[sz]e|i apologi[sz]e)(?: for (?:the|any) (?:inconvenience|trouble|delay|frustrations?))?\b|"
    r"\bthanks?(?: you)?(?: so much)?(?: for (?:reaching out|letting us know|your patience))?\b)"
)
_SIGN_OFF_REACH = 24  # longer than any match of _SIGN_OFF
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def comparable_text(text: str) -> str:
    """Return the form of ``text`` that similarity is measured on.

    Folded; @handles, URLs and a trailing agent sign-off removed; runs of spaces and
    punctuation collapsed to one space.
    """
    # The cheap substring tests skip patterns that cannot match (index builds run this
    # on thousands of entries); a sign-off is at most 18 characters, so only the tail is
    # searched for one.
    if "@" in text or "＠" in text:
        text = _HANDLE.sub(" ", text)
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" ", text)
    without_sign_off = text.rstrip()
    tail = without_sign_off[-_SIGN_OFF_REACH:]
    if (sign_off := _SIGN_OFF.search(tail)) is not None:
        without_sign_off = without_sign_off[: len(without_sign_off) - len(tail) + sign_off.start()]
    return _NOISE.sub(" ", _COURTESY.sub(" ", fold(without_sign_off))).strip()


def char_ngrams(text: str, sizes: tuple[int, ...] = (2, 3)) -> Counter[str]:
    """Count the character n-grams of ``text`` (already in comparable form).

    Each word is padded with a space on both sides so that short words and word starts
    contribute n-grams of their own.
    """
    padded = f" {text} "
    grams: Counter[str] = Counter()
    for size in sizes:
        grams.update([padded[i : i + size] for i in range(len(padded) - size + 1)])
    return grams


@dataclass(frozen=True, slots=True)
class GramVector:
    """A text's n-gram counts with their Euclidean norm, ready for many comparisons."""

    grams: Counter[str]
    norm: float


@lru_cache(maxsize=4096)
def gram_vector(text: str) -> GramVector:
    """The n-gram vector of ``text`` in comparable form (cached: earlier replies to a person
    are compared with every keystroke's draft)."""
    grams = char_ngrams(comparable_text(text))
    return GramVector(grams, math.sqrt(sum(c * c for c in grams.values())))


def vector_similarity(left: GramVector, right: GramVector) -> float:
    """Cosine similarity of two gram vectors (0.0 when either is empty)."""
    if not left.norm or not right.norm:
        return 0.0
    small, large = (left.grams, right.grams) if len(left.grams) <= len(right.grams) else (right.grams, left.grams)
    dot = sum(count * large[gram] for gram, count in small.items() if gram in large)
    return dot / (left.norm * right.norm) if dot else 0.0


def cosine(left: Counter[str], right: Counter[str]) -> float:
    """Cosine similarity of two n-gram count vectors (0.0 when either is empty)."""
    if not left or not right:
        return 0.0
    if len(left) > len(right):
        left, right = right, left
    dot = sum(count * right.get(gram, 0) for gram, count in left.items())
    if dot == 0:
        return 0.0
    norm = math.sqrt(sum(c * c for c in left.values())) * math.sqrt(
        sum(c * c for c in right.values())
    )
    return dot / norm


def text_similarity(left: str, right: str) -> float:
    """Similarity in [0, 1] of two replies' guidance (1.0 = the same words)."""
    return vector_similarity(gram_vector(left), gram_vector(right))


def is_near_duplicate(left: str, right: str, *, threshold: float = NEAR_DUPLICATE_THRESHOLD) -> bool:
    """True when two replies give the same or near-same guidance."""
    return text_similarity(left, right) >= threshold
