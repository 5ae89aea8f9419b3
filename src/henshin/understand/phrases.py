"""Phrase lists compiled into one regular expression over ``fold()``ed text.

Japanese phrases match anywhere; English phrases match on word boundaries. Used by intent,
urgency and spam rules, which all match against the same folded text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from henshin.understand.normalize import fold


def phrase_pattern(japanese: Iterable[str] = (), english: Iterable[str] = ()) -> re.Pattern[str]:
    """One pattern matching any of the phrases; longest alternatives first."""
    alternatives: list[str] = []
    english_sorted = sorted({fold(p) for p in english}, key=len, reverse=True)
    if english_sorted:
        alternatives.append(r"\b(?:" + "|".join(re.escape(p) for p in english_sorted) + r")\b")
    japanese_sorted = sorted({fold(p) for p in japanese}, key=len, reverse=True)
    if japanese_sorted:
        alternatives.append("(?:" + "|".join(re.escape(p) for p in japanese_sorted) + ")")
    if not alternatives:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(alternatives))
