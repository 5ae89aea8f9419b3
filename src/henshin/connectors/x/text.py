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
from pathlib import Path

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23

_LIGHT_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x10FF),
    (0x2000, 0x200D),
    (0x2010, 0x201F),
    (0x2032, 0x2037),
)

# --- URLs, the way twitter-text's extractUrlsWithIndices finds them --------------------------
# Facts from twitter-text (js/src/regexp/*): a URL may follow anything but a letter, digit,
# @, $ or #; its domain labels are any characters except ASCII punctuation, spaces and
# directional marks (so IDN hosts count), ending in a real TLD; the path and query take only
# ASCII (plus Latin accents and Cyrillic), so Japanese right after a link is not part of it
# ("詳細はhttps://example.com/faqをご覧ください" links only ".../faq"). Without a scheme only
# the ASCII part of the domain links, and not after - _ . or /. A host whose punycode label
# exceeds 63 characters is no URL at all.
_TLDS = sorted(
    (line.strip() for line in (Path(__file__).parent / "tlds.txt").read_text("utf-8").splitlines()
     if line.strip() and not line.startswith("#")),
    key=len, reverse=True)
_TLD = "(?:" + "|".join(re.escape(t) for t in _TLDS) + r"|xn--[\-0-9a-z]+)(?=[^0-9a-zA-Z@+-]|$)"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_SPACES = "\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DOMAIN_CHAR = f"[^!'#%&()*+,\\\\\\-./:;<=>?@\\[\\]^_{{|}}~$ {_SPACES}{_INVALID}{_DIRECTIONAL}]"
_SUBDOMAIN = f"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_DOMAIN_NAME = f"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_LATIN_ACCENTS = ("\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
                  "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff")
_PATH_CHAR = f"[a-z\u0400-\u04ff0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
_PARENS = f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
_PATH_END = f"(?:[+\\-a-z\u0400-\u04ff0-9=_#/{_LATIN_ACCENTS}]|{_PARENS})"
_PATH = f"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+/))"
_QUERY = "[a-z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]*[a-z0-9\\-_&=#/]"
_URL = re.compile(
    f"(?P<before>[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]|^)"
    f"(?P<url>(?P<protocol>https?://)?(?P<domain>{_SUBDOMAIN}*{_DOMAIN_NAME}{_TLD})"
    f"(?::[0-9]+)?(?P<path>/{_PATH}*)?(?:\\?{_QUERY})?)",
    re.IGNORECASE)
_ASCII_DOMAIN = re.compile(f"(?:[\\-a-z0-9{_LATIN_ACCENTS}]+\\.)+{_TLD}", re.IGNORECASE)
_TCO = re.compile(f"https?://t\\.co/([a-z0-9]+)(?:\\?{_QUERY})?", re.IGNORECASE)
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40


def _punycode_length(domain: str) -> int | None:
    """Length of ``domain`` in punycode, or None when a label is empty or over 63 characters."""
    try:
        return len(domain.encode("idna"))
    except UnicodeError:
        return None


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every URL in ``text`` that X would link (and weigh 23)."""
    spans: list[tuple[int, int]] = []
    for match in _URL.finditer(text):
        url, protocol, domain = match["url"], match["protocol"], match["domain"]
        start, end = match.start("url"), match.end("url")
        encoded = _punycode_length(domain)
        if encoded is None or len(protocol or "https://") + len(url) - len(domain) + encoded > _MAX_URL_LENGTH:
            continue
        if protocol:
            tco = _TCO.match(url)
            if tco:
                if len(tco[1]) > _MAX_TCO_SLUG_LENGTH:
                    continue
                end = start + tco.end()
            spans.append((start, end))
            continue
        if re.search(r"[-_./]$", match["before"]):
            continue
        found = [(start + m.start(), start + m.end()) for m in _ASCII_DOMAIN.finditer(domain)]
        if found and match["path"]:
            found[-1] = (found[-1][0], end)  # the path belongs to the last ASCII domain
        spans += found
    return spans


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
    for start, end in url_spans(normalized):
        total += _text_weight(normalized[position:start]) + URL_WEIGHT
        position = end
    total += _text_weight(normalized[position:])
    return total


def remaining(text: str) -> int:
    """Weight still available before ``text`` hits X's 280 limit (negative when over)."""
    return MAX_WEIGHTED_LENGTH - weighted_length(text)


def is_valid_length(text: str) -> bool:
    """True when ``text`` is non-empty and fits in one X post."""
    return 0 < weighted_length(text) <= MAX_WEIGHTED_LENGTH
