"""Hashed text features shared by the training script and the shipped linear models.

A text becomes a list of feature ids in ``[0, dims)``: word unigrams and bigrams for
alphabetic text (with negation scope marked), character bigrams and trigrams for Japanese
and Chinese runs, emoji, and a few shape features (links, digits, exclamation). crc32 is
used instead of ``hash()`` so ids are stable across processes.
"""

from __future__ import annotations

import re
from zlib import crc32

from henshin.understand.lexicon import EMOJI_VALENCE, english_valences
from henshin.understand.normalize import fold

DIMS = 1 << 18
# Copies of a lexicon token per unit of VADER valence (the lexicon is prior knowledge the
# small training sets lack, so it is given room against the n-grams).
LEXICON_COPIES = 2.0

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_WORD = re.compile(r"[a-z0-9']+|[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]+|[^\s\w]")
_NEGATORS = frozenset({"not", "no", "never", "don't", "dont", "doesn't", "doesnt", "didn't",
                       "didnt", "isn't", "isnt", "wasn't", "wasnt", "can't", "cant", "won't",
                       "wont", "cannot", "aren't", "arent", "nothing", "nobody", "without"})
_CLAUSE_END = frozenset({".", ",", "!", "?", ";", ":", "but", "however", "though"})


def _is_cjk(token: str) -> bool:
    return "\u3040" <= token[0] <= "\u9fff" or "\uac00" <= token[0] <= "\ud7af"


_DIGIT = re.compile(r"\d")


def tokens(text: str, folded: str | None = None) -> list[str]:
    """Feature strings for ``text`` (before hashing); ``folded`` may pass ``fold(text)`` in."""
    if folded is None:
        folded = fold(text)
    out: list[str] = []
    if _URL.search(folded):
        out.append("#url")
        folded = _URL.sub(" ", folded)
    if _MENTION.search(folded):
        out.append("#mention")
        folded = _MENTION.sub(" ", folded)
    words = _WORD.findall(folded)
    valences = english_valences()
    previous = "<s>"
    negated = False
    for word in words:
        if _is_cjk(word):
            padded = f"^{word}$"
            out.extend(padded[i : i + 2] for i in range(len(padded) - 1))
            out.extend(padded[i : i + 3] for i in range(len(padded) - 2))
            previous = "<cjk>"
            continue
        emoji = EMOJI_VALENCE.get(word)
        if emoji is not None:
            out.append("#emo+" if emoji > 0 else "#emo-")
        if word in _CLAUSE_END:
            negated = False
            out.append(word)
            previous = word
            continue
        if word.isdigit():
            word = "#longnum" if len(word) >= 5 else "#num"
        token = f"neg_{word}" if negated else word
        valence = valences.get(word)
        if valence is not None:
            signed = -valence if negated else valence
            # One token per unit of valence: strong words weigh more than mild ones.
            out.extend(["#lex+" if signed > 0 else "#lex-"] * max(1, round(abs(signed) * LEXICON_COPIES)))
        out.append(token)
        out.append(f"{previous} {word}")
        if word in _NEGATORS:
            negated = True
        previous = word
    if "!" in folded:
        out.append("#exclaim")
    if "?" in folded:
        out.append("#question")
    if _DIGIT.search(folded):
        out.append("#digits")
    return out


def feature_ids(text: str, folded: str | None = None, dims: int = DIMS) -> list[int]:
    """Hashed feature ids of ``text`` (duplicates kept: counts matter)."""
    return [crc32(token.encode("utf-8")) % dims for token in tokens(text, folded)]
