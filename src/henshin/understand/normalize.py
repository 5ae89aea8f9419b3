"""Text normalization: the matching form (`fold`) and the display form (`display_form`).

`fold` is what rules' keyword matching and ticket search compare: both the keyword and the
text go through it, so it must be idempotent and cheap. `display_form` is gentler: it
unifies widths but keeps enclosed characters such as ①, ㈱ and ㍿ that NFKC would spell out.
"""

from __future__ import annotations

import re
import unicodedata

# Katakana → hiragana: ァ..ヶ (U+30A1..U+30F6) sit exactly 0x60 above ぁ..ゖ; the iteration
# marks ヽヾ map to ゝゞ. ヷ..ヺ have no hiragana counterpart and stay as they are.
_KANA_FOLD: dict[int, int] = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KANA_FOLD[0x30FD] = 0x309D
_KANA_FOLD[0x30FE] = 0x309E

# Dashes and tildes people type interchangeably in phone numbers, ranges and emphasis.
# The long-vowel mark ー is meaningful in words and is left alone.
_DASH_FOLD: dict[int, int] = {
    code: ord("-") for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63)
}
_DASH_FOLD[0x301C] = ord("~")  # 〜 wave dash (NFKC leaves it; ～ already becomes ~)
_DASH_FOLD[0x3030] = ord("~")  # 〰
# Typographic quotes phones insert ("don’t") match the plain ones people type in keywords.
_DASH_FOLD.update({0x2018: ord("'"), 0x2019: ord("'"), 0x201C: ord('"'), 0x201D: ord('"')})

_FOLD_TABLE: dict[int, int] = {**_KANA_FOLD, **_DASH_FOLD}

# Enclosed and squared forms that are readable as they are: circled numbers, ㈱, ㍿, ㌔ …
_KEEP_FOR_DISPLAY = re.compile(r"[\u2460-\u24ff\u2776-\u2793\u3200-\u33ff\U0001f100-\U0001f1ff]+")


def fold(text: str) -> str:
    """Return the matching form of ``text``.

    NFKC (full-width ASCII and half-width katakana unified), case folded, katakana turned
    into hiragana, dash and wave-dash variants unified; emoji are kept. Idempotent:
    ``fold(fold(s)) == fold(s)``.
    """
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKC", text).casefold()
    # casefold can produce characters NFKC would change again (e.g. some compatibility
    # letters); a second pass keeps the function idempotent.
    if not folded.isascii():
        folded = unicodedata.normalize("NFKC", folded)
    return folded.translate(_FOLD_TABLE)


def display_form(text: str) -> str:
    """Return ``text`` with widths unified (NFKC) but enclosed characters such as ①, ㈱ kept."""
    if text.isascii():
        return text
    parts: list[str] = []
    last = 0
    for match in _KEEP_FOR_DISPLAY.finditer(text):
        parts.append(unicodedata.normalize("NFKC", text[last : match.start()]))
        parts.append(match.group())
        last = match.end()
    parts.append(unicodedata.normalize("NFKC", text[last:]))
    return "".join(parts)
