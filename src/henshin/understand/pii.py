"""Personal data in text: phones, emails, postal codes, addresses, card numbers, order numbers.

Spans index the original text, so reply guards can highlight them and `redact` can remove
them. Full-width digits and dashes (「０９０－１２３４－５６７８」) are matched through a
same-length ASCII shadow of the text, so offsets never drift.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

PiiKind = Literal["phone", "email", "postal_code", "address", "card_number", "order_number"]


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """One piece of personal data found in a text: ``text[start:end]`` is ``text``."""

    kind: PiiKind
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"kind": self.kind, "start": self.start, "end": self.end, "text": self.text}


# Same-length shadow: full-width ASCII → ASCII, dash variants → "-", ideographic space → " ".
_SHADOW: dict[int, int] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_SHADOW.update({code: ord("-") for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015,
                                             0x2212, 0x30FC, 0xFF70, 0xFE63)})
_SHADOW[0x3000] = ord(" ")

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])")
_PHONE = re.compile(
    r"(?<![A-Za-z0-9+\-])(?:\+\d{1,3}[ -]?(?:\(0\))?[ -]?)?\(?\d{1,4}\)?(?:[ -]?\d{1,4}){1,3}[ -]?\d{3,4}(?![\d])"
)
# North American numbers written the national way: (415) 555-0132, 415-555-0132, 212.555.0187.
# Area code and exchange start 2-9; separators are required, so a bare run of ten digits (an
# order or account number) is not taken for a phone.
_NANP = re.compile(r"(?<![\w+\-.])(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .\-])[2-9]\d{2}[ .\-]\d{4}(?![\w\-])")
_POSTAL = re.compile(r"〒\s?\d{3}-?\d{4}(?!\d)|(?<![\d-])\d{3}-\d{4}(?![\d-])")
_PREFECTURES = (
    "北海道|東京都|京都府|大阪府|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|"
    "埼玉県|千葉県|神奈川県|新潟県|富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|"
    "滋賀県|兵庫県|奈良県|和歌山県|鳥取県|島根県|岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|"
    "福岡県|佐賀県|長崎県|熊本県|大分県|宮崎県|鹿児島県|沖縄県"
)
_ADDRESS_TAIL = r"[\u4e00-\u9fff\u3041-\u3096\u30a1-\u30fa\u30fc0-9\-ヶケ丁目番地号の]"
_ADDRESS = re.compile(
    rf"(?:{_PREFECTURES}){_ADDRESS_TAIL}{{1,40}}"
    rf"|[\u4e00-\u9fff]{{1,5}}[市区町村郡][\u4e00-\u9fff\u3041-\u3096\u30a1-\u30fa]{{1,12}}"
    r"\d{1,4}(?:(?:-|丁目)\d{1,4}){1,3}(?:番地?|号)?"
)
_DEFAULT_ORDER = (
    r"(?:注文|ご注文|受注|予約|オーダー|お問い合わせ|問い合わせ|伝票|追跡)(?:番号|no\.?|ID)\s*[:：は]?\s*#?([A-Za-z0-9][A-Za-z0-9\-]{4,})",
    r"(?i:order|reservation|booking|tracking|ticket)\s*(?:#|no\.?|number|id)\s*[:]?\s*#?([A-Za-z0-9][A-Za-z0-9\-]{4,})",
)


def _shadow(text: str) -> str:
    return text.translate(_SHADOW)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    compiled: list[re.Pattern[str]] = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error:
            continue  # a workspace's broken pattern must not stop ingest; settings validate it
    return tuple(compiled)


def _order_spans(shadow: str, patterns: Sequence[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pattern in _compiled(tuple(patterns) + _DEFAULT_ORDER):
        for match in pattern.finditer(shadow):
            # A pattern with a group marks the number itself; without, the whole match.
            group = 1 if pattern.groups else 0
            spans.append((match.start(group), match.end(group)))
    return spans


def find_pii(text: str, *, order_patterns: Sequence[str] = ()) -> list[PiiSpan]:
    """Find personal data in ``text``; spans do not overlap and are sorted by start.

    ``order_patterns`` are a workspace's regular expressions for its order or reservation
    numbers (when a pattern has a group, the group is the number), tried before the
    built-in keyword-anchored ones (注文番号: …, order #…).
    """
    shadow = _shadow(text)
    found: list[tuple[int, int, PiiKind]] = []
    found += [(m.start(), m.end(), "email") for m in _EMAIL.finditer(shadow)]
    found += [(s, e, "order_number") for s, e in _order_spans(shadow, order_patterns)]
    for match in _CARD.finditer(shadow):
        digits = _digits(match.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            found.append((match.start(), match.end(), "card_number"))
    for match in _PHONE.finditer(shadow):
        raw = match.group()
        digits = _digits(raw)
        international = raw.startswith("+")
        if (international and 8 <= len(digits) <= 15) or (
            not international and digits.startswith("0") and 10 <= len(digits) <= 11
            and ("-" in raw or " " in raw or "(" in raw or len(digits) in (10, 11))
        ):
            found.append((match.start(), match.end(), "phone"))
    found += [(m.start(), m.end(), "phone") for m in _NANP.finditer(shadow)]
    found += [(m.start(), m.end(), "postal_code") for m in _POSTAL.finditer(shadow)]
    found += [(m.start(), m.end(), "address") for m in _ADDRESS.finditer(shadow)]

    taken: list[PiiSpan] = []
    for start, end, kind in found:  # earlier kinds win an overlap (list order = priority)
        if any(start < span.end and span.start < end for span in taken):
            continue
        taken.append(PiiSpan(kind=kind, start=start, end=end, text=text[start:end]))
    taken.sort(key=lambda span: span.start)
    return taken


def redact(text: str, spans: Sequence[PiiSpan], *, placeholder: str | None = None) -> str:
    """Replace each span with ``placeholder`` (default ``[kind]``, e.g. ``[phone]``)."""
    parts: list[str] = []
    last = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < last:
            continue
        parts.append(text[last : span.start])
        parts.append(placeholder if placeholder is not None else f"[{span.kind}]")
        last = span.end
    parts.append(text[last:])
    return "".join(parts)
