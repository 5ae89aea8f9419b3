"""X's weighted character count (twitter-text v3 rules).

X does not count characters, it weighs them: Latin-1, general punctuation and a few
other ranges weigh 1, everything else (CJK, kana, hangul, emoji…) weighs 2, every URL
weighs 23 whatever its length (t.co wraps it), and a post may weigh at most 280. So a
Japanese post holds 140 characters. The text is NFC-normalized before counting, as X does.

Facts from the twitter-text configuration ``v3.json``: scale 100, defaultWeight 200,
ranges weighing 100 = U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F, U+2032–U+2037;
transformedURLLength 23; emojiParsingEnabled (an emoji sequence — ZWJ joins, skin tones,
flags, keycaps — weighs 2 as one unit).
"""

from __future__ import annotations

import re
import unicodedata

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23

_LIGHT_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x10FF),
    (0x2000, 0x200D),
    (0x2010, 0x201F),
    (0x2032, 0x2037),
)

# URLs: explicit schemes, www., or a bare domain with a common TLD (X links those too).
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'　、。「」]+"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\."
    r"(?:com|net|org|jp|co\.jp|io|dev|app|info|biz|me|ly|co|tv|us|uk|shop|store)"
    r"\b(?:/[^\s<>\"'　、。「」]*)?",
    re.IGNORECASE,
)

# One emoji "unit": a pictograph followed by any modifiers / joiners / further pictographs,
# a regional-indicator pair (flag), or a keycap sequence.
_PICTO = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff"
    "\u2190-\u21ff\u3030\u303d\u3297\u3299\u00a9\u00ae\u203c\u2049\u2122\u2139"
)
_EMOJI = re.compile(
    r"[\U0001f1e6-\U0001f1ff]{2}"
    r"|[0-9#*]\ufe0f?\u20e3"
    rf"|[{_PICTO}][\ufe0f\U0001f3fb-\U0001f3ff]*"
    rf"(?:\u200d[{_PICTO}][\ufe0f\U0001f3fb-\U0001f3ff]*)*"
    r"(?:[\U000e0020-\U000e007f]+)?"
)


def _char_weight(char: str) -> int:
    code = ord(char)
    for low, high in _LIGHT_RANGES:
        if low <= code <= high:
            return 1
    return 2


def _text_weight(text: str) -> int:
    total = 0
    position = 0
    for match in _EMOJI.finditer(text):
        total += sum(_char_weight(c) for c in text[position : match.start()])
        # U+00A9 © and friends sit in the light range unless used as emoji with FE0F.
        unit = match.group(0)
        if len(unit) == 1 and _char_weight(unit) == 1:
            total += 1
        else:
            total += 2
        position = match.end()
    total += sum(_char_weight(c) for c in text[position:])
    return total


def weighted_length(text: str) -> int:
    """Return the weight X gives ``text`` (a post may weigh at most 280).

    >>> weighted_length("hello")
    5
    >>> weighted_length("こんにちは")
    10
    >>> weighted_length("see https://example.com/a/very/long/path/indeed")
    27
    """
    normalized = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in _URL.finditer(normalized):
        total += _text_weight(normalized[position : match.start()]) + URL_WEIGHT
        position = match.end()
    total += _text_weight(normalized[position:])
    return total


def remaining(text: str) -> int:
    """Weight still available before ``text`` hits X's 280 limit (negative when over)."""
    return MAX_WEIGHTED_LENGTH - weighted_length(text)


def is_valid_length(text: str) -> bool:
    """True when ``text`` is non-empty and fits in one X post."""
    return 0 < weighted_length(text) <= MAX_WEIGHTED_LENGTH
