"""Splitting a reply that is over its network's limit into a short thread.

Cuts fall where a reader expects them: at the end of a sentence (。！？!?, a full stop
before a space, a line break), else after a comma (、，,), else before a space, and only
as a last resort between two characters — never inside a URL, an @handle, a #hashtag or
an emoji sequence. Every part but the last is marked 「(続きます)」 (Japanese style), or
every part is numbered "(1/2)" (English style). The @handle goes on every part; the
self-identification prefix opens the first part and the signature closes the last.

More than :data:`MAX_PARTS_WITHOUT_CONFIRMATION` parts is a wall of posts: the composer
asks the agent to confirm (:func:`needs_confirmation`) before sending such a thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from henshin.connectors.types import Network
from henshin.replies.limits import NetworkLimit, compose_reply, fits, limit_for

MarkerStyle = Literal["ja", "en"]

MAX_PARTS_WITHOUT_CONFIRMATION = 3
CONTINUED_MARKER_JA = "(続きます)"

_SENTENCE_END = re.compile(r"(?:[。！？!?\n]+|\.(?=\s))[」』）)\"'”’]*")
_COMMA = re.compile(r"[、，,]")
_SPACE = re.compile(r"\s+")
_PROTECTED = re.compile(
    r"https?://[^\s<>\"'　、。「」]+"
    r"|(?<![\w@])[@＠][A-Za-z0-9_]+(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?"
    r"|(?<!\w)[#＃]\w+"
)
_ZWJ = "\u200d"


class SplitError(ValueError):
    """The reply cannot be split: the handle, prefix and signature leave no room for text."""


def split_reply(
    text: str,
    *,
    network: Network | str,
    kind: str,
    handle: str | None = None,
    prefix: str | None = None,
    signature: str | None = None,
    marker_style: MarkerStyle = "ja",
) -> list[str]:
    """Return the reply as the posts to send, each within the network's limit.

    A reply that fits comes back as one composed post. Each returned string is exactly
    what the network will receive (handle, prefix, markers and signature included).
    """
    network_limit = limit_for(network, kind)
    body = text.strip()
    whole = compose_reply(body, handle=handle, prefix=prefix, signature=signature)
    if fits(whole, network_limit):
        return [whole]
    guess = 2
    while True:
        bodies = _cut_into_bodies(
            body, network_limit, handle, prefix, signature, marker_style, guess
        )
        # English numbering "(i/n)" grows with n's digits: re-cut if n outgrew the guess.
        if len(str(len(bodies))) <= len(str(guess)):
            break
        guess = len(bodies)
    total = len(bodies)
    return [
        _decorate(part, index, total, handle, prefix, signature, marker_style)
        for index, part in enumerate(bodies)
    ]


def needs_confirmation(parts: Sequence[str]) -> bool:
    """True when a thread is long enough that an agent must confirm sending it."""
    return len(parts) > MAX_PARTS_WITHOUT_CONFIRMATION


def strip_markers(part: str, *, marker_style: MarkerStyle = "ja") -> str:
    """Remove the continuation marker a part carries (for display and for tests)."""
    if marker_style == "ja":
        return part.removesuffix(CONTINUED_MARKER_JA).rstrip()
    return re.sub(r"\s?\(\d+/\d+\)$", "", part)


def _marker(index: int, total: int, style: MarkerStyle) -> str:
    if style == "en":
        return f"({index + 1}/{total})"
    return "" if index == total - 1 else CONTINUED_MARKER_JA


def _decorate(
    body: str,
    index: int,
    total: int,
    handle: str | None,
    prefix: str | None,
    signature: str | None,
    style: MarkerStyle,
) -> str:
    last = index == total - 1
    marker = _marker(index, total, style)
    if marker:
        # 「…ます。(続きます)」 reads naturally; Latin text wants a space before "(1/2)".
        joiner = "" if style == "ja" and body and ord(body[-1]) >= 0x2E80 else " "
        body = f"{body}{joiner}{marker}"
    return compose_reply(
        body,
        handle=handle,
        prefix=prefix if index == 0 else None,
        signature=signature if last else None,
    )


def _cut_into_bodies(
    body: str,
    network_limit: NetworkLimit,
    handle: str | None,
    prefix: str | None,
    signature: str | None,
    style: MarkerStyle,
    total_guess: int,
) -> list[str]:
    bodies: list[str] = []
    remainder = body
    while remainder:
        index = len(bodies)
        as_last = _decorate(
            remainder, index, max(total_guess, index + 1), handle, prefix, signature, style
        )
        if index > 0 and fits(as_last, network_limit):
            bodies.append(remainder)
            break

        def fits_as_middle(candidate: str, index: int = index) -> bool:
            # A middle part is marked and carries no signature; numbering assumes the
            # widest "(n/n)" so that every part still fits once n is known.
            decorated = _decorate(
                candidate, index, max(total_guess, index + 2), handle, prefix, None, style
            )
            return fits(decorated, network_limit)

        cut = _best_cut(remainder, fits_as_middle)
        if cut is None:
            raise SplitError(
                "the @handle, prefix and signature leave no room for the reply on "
                f"{network_limit.network.value} (limit {network_limit.limit})"
            )
        bodies.append(remainder[:cut].strip())
        remainder = remainder[cut:].strip()
    return bodies


def _best_cut(text: str, fits_part: Callable[[str], bool]) -> int | None:
    """The furthest position at the best kind of boundary where ``text[:pos]`` fits."""
    protected = [(m.start(), m.end()) for m in _PROTECTED.finditer(text)]

    def allowed(position: int) -> bool:
        if position <= 0 or position > len(text):
            return False
        return not any(start < position < end for start, end in protected)

    levels = (
        [m.end() for m in _SENTENCE_END.finditer(text)],
        [m.end() for m in _COMMA.finditer(text)],
        [m.start() for m in _SPACE.finditer(text)],
        [i for i in range(1, len(text)) if _is_grapheme_boundary(text, i)],
        list(range(1, len(text))),  # a URL longer than a whole post: nothing else is left
    )
    for level, positions in enumerate(levels):
        candidates = [p for p in positions if p < len(text) and (level == 4 or allowed(p))]
        candidates = [p for p in candidates if text[:p].strip()]
        cut = _furthest_fitting(text, candidates, fits_part)
        if cut is not None:
            return cut
    return None


def _furthest_fitting(
    text: str, candidates: list[int], fits_part: Callable[[str], bool]
) -> int | None:
    # Longer prefixes never weigh less, so the fitting candidates form a prefix of the
    # sorted list: binary search for its end.
    candidates = sorted(set(candidates))
    low, high = 0, len(candidates)
    while low < high:
        middle = (low + high) // 2
        if fits_part(text[: candidates[middle]].strip()):
            low = middle + 1
        else:
            high = middle
    return candidates[low - 1] if low > 0 else None


def _is_grapheme_boundary(text: str, position: int) -> bool:
    char, before = text[position], text[position - 1]
    code = ord(char)
    if before == _ZWJ or char == _ZWJ:
        return False
    if 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return False
    if 0x0300 <= code <= 0x036F or code in (0x3099, 0x309A, 0x20E3):
        return False
    if 0x1F1E6 <= code <= 0x1F1FF and 0x1F1E6 <= ord(before) <= 0x1F1FF:
        # Pairs of regional indicators form flags: only cut after an even count.
        run = 0
        i = position - 1
        while i >= 0 and 0x1F1E6 <= ord(text[i]) <= 0x1F1FF:
            run += 1
            i -= 1
        return run % 2 == 0
    return True


__all__ = [
    "CONTINUED_MARKER_JA",
    "MAX_PARTS_WITHOUT_CONFIRMATION",
    "SplitError",
    "needs_confirmation",
    "split_reply",
    "strip_markers",
]
