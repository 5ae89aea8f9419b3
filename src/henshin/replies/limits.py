"""Each network's length limit for a reply, counted the way that network counts.

A reply is what the customer will see: the @handle the network puts first, the agent's
self-identification prefix (「○○会社の××です。」), the text, and a signature ("— Ty").
All of it counts, so :func:`measure` counts the composed reply, not the bare text.

Networks count differently: X weighs characters (CJK double, every URL 23); Bluesky counts
grapheme clusters; Mastodon counts characters but every URL as 23 and a remote mention
only by its local part; LINE counts UTF-16 code units; Google's review replies are limited
in UTF-8 bytes; the rest count Unicode characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from henshin.connectors.types import Network
from henshin.connectors.x.text import weighted_length


class Visibility(StrEnum):
    """Whether everyone watching sees the reply, or only the customer."""

    PUBLIC = "public"  # a reply under a comment, mention, review or post
    PRIVATE = "private"  # a DM, or a private reply to a public comment


class CountingUnit(StrEnum):
    X_WEIGHTED = "x_weighted"
    CHARACTERS = "characters"
    GRAPHEMES = "graphemes"
    UTF16_UNITS = "utf16_units"
    UTF8_BYTES = "utf8_bytes"
    MASTODON = "mastodon_characters"


@dataclass(frozen=True, slots=True)
class NetworkLimit:
    """How long one kind of message may be on one network, and in which unit."""

    network: Network
    visibility: Visibility
    limit: int
    unit: CountingUnit


@dataclass(frozen=True, slots=True)
class Measure:
    """The length of a composed reply against its network's limit."""

    used: int
    limit: int
    remaining: int
    over: bool
    unit: CountingUnit


_P, _D = Visibility.PUBLIC, Visibility.PRIVATE
_LIMITS: dict[tuple[Network, Visibility], tuple[int, CountingUnit]] = {
    # X: developer.x.com "Counting characters" (twitter-text v3: weighted 280, CJK weigh 2,
    # URLs 23). DMs: "Direct Messages ... up to 10,000 characters" (X Help Center).
    (Network.X, _P): (280, CountingUnit.X_WEIGHTED),
    (Network.X, _D): (10_000, CountingUnit.CHARACTERS),
    # Instagram: comments are limited to 2,200 characters (Instagram Platform, Comment
    # Moderation: "text ... 2,200 character maximum"). Instagram messaging: a text message
    # "must be UTF-8 and 1000 bytes or less" — about 333 Japanese characters (the connector
    # declares the same: TextLimits.dm_counting = "utf8_bytes").
    (Network.INSTAGRAM, _P): (2_200, CountingUnit.CHARACTERS),
    (Network.INSTAGRAM, _D): (1_000, CountingUnit.UTF8_BYTES),
    # Facebook Graph API /{object-id}/comments "message" up to 8,000 characters;
    # Messenger Platform Send API: "text must be UTF-8 and has a 2000 character limit".
    (Network.FACEBOOK, _P): (8_000, CountingUnit.CHARACTERS),
    (Network.FACEBOOK, _D): (2_000, CountingUnit.CHARACTERS),
    # LINE Messaging API reference, text message: "Max character limit: 5000"
    # (counted in UTF-16 code units: an emoji outside the BMP counts 2). LINE has no public
    # replies; a reply to a LINE message is always private.
    (Network.LINE, _P): (5_000, CountingUnit.UTF16_UNITS),
    (Network.LINE, _D): (5_000, CountingUnit.UTF16_UNITS),
    # YouTube Data API commentThreads/comments: textOriginal up to 10,000 characters.
    (Network.YOUTUBE, _P): (10_000, CountingUnit.CHARACTERS),
    (Network.YOUTUBE, _D): (10_000, CountingUnit.CHARACTERS),
    # TikTok, LinkedIn and Pinterest comment replies: 4,096 characters, the ceiling the
    # product owner set for these networks (issue 9); each API rejects longer text.
    (Network.TIKTOK, _P): (4_096, CountingUnit.CHARACTERS),
    (Network.TIKTOK, _D): (4_096, CountingUnit.CHARACTERS),
    (Network.LINKEDIN, _P): (4_096, CountingUnit.CHARACTERS),
    (Network.LINKEDIN, _D): (4_096, CountingUnit.CHARACTERS),
    (Network.PINTEREST, _P): (4_096, CountingUnit.CHARACTERS),
    (Network.PINTEREST, _D): (4_096, CountingUnit.CHARACTERS),
    # Google Business Profile API reviews.updateReply: "comment ... The maximum length is
    # 4096 bytes" — bytes, so a Japanese reply holds about 1,365 characters.
    (Network.GOOGLE_BUSINESS, _P): (4_096, CountingUnit.UTF8_BYTES),
    (Network.GOOGLE_BUSINESS, _D): (4_096, CountingUnit.UTF8_BYTES),
    # Bluesky lexicon app.bsky.feed.post: text maxGraphemes 300 (maxLength 3000 bytes).
    (Network.BLUESKY, _P): (300, CountingUnit.GRAPHEMES),
    (Network.BLUESKY, _D): (1_000, CountingUnit.GRAPHEMES),  # chat.bsky.convo message: 1000
    # Mastodon default instance limit: 500 characters (docs.joinmastodon.org, "Posting
    # statuses"; URLs count 23, @user@domain counts as @user). Direct posts are statuses.
    (Network.MASTODON, _P): (500, CountingUnit.MASTODON),
    (Network.MASTODON, _D): (500, CountingUnit.MASTODON),
    # Blog comments via RSS and custom integrations: no network limit; a generous ceiling
    # keeps an accidental paste from going out.
    (Network.RSS, _P): (10_000, CountingUnit.CHARACTERS),
    (Network.RSS, _D): (10_000, CountingUnit.CHARACTERS),
    (Network.API, _P): (10_000, CountingUnit.CHARACTERS),
    (Network.API, _D): (10_000, CountingUnit.CHARACTERS),
}

# Message kinds (outbound and inbound words both accepted) that only the customer sees.
_PRIVATE_KINDS = frozenset({"dm", "private_reply", "private", "message", "direct"})

_URL = re.compile(r"https?://[^\s<>\"'　、。「」]+", re.IGNORECASE)
_REMOTE_MENTION = re.compile(r"(?<![\w@])(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_MASTODON_URL_LENGTH = 23


def visibility_of(kind: str) -> Visibility:
    """Map a message kind ("reply", "comment", "dm", "private_reply"…) to its visibility."""
    return Visibility.PRIVATE if str(kind).lower() in _PRIVATE_KINDS else Visibility.PUBLIC


def limit_for(network: Network | str, kind: str) -> NetworkLimit:
    """Return the length limit of a ``kind`` of message on ``network``."""
    net = Network(network)
    visibility = visibility_of(kind)
    limit, unit = _LIMITS[(net, visibility)]
    return NetworkLimit(network=net, visibility=visibility, limit=limit, unit=unit)


def compose_reply(
    text: str,
    *,
    handle: str | None = None,
    prefix: str | None = None,
    signature: str | None = None,
) -> str:
    """Return the reply exactly as the customer will see it.

    ``@handle`` first (as X, Mastodon and Bluesky show it), then the self-identification
    prefix, the text, and the signature after a space.
    """
    parts: list[str] = []
    if handle:
        parts.append(handle if handle.startswith("@") else f"@{handle}")
        parts.append(" ")
    if prefix:
        parts.append(prefix)
        # 「…です。」 runs straight into Japanese text; a Latin prefix needs a space.
        if not _ends_with_cjk_or_space(prefix):
            parts.append(" ")
    parts.append(text)
    if signature:
        parts.append(" ")
        parts.append(signature)
    return "".join(parts)


def count(text: str, unit: CountingUnit) -> int:
    """Count ``text`` in ``unit`` (the way the network it belongs to counts)."""
    if unit is CountingUnit.X_WEIGHTED:
        return weighted_length(text)
    if unit is CountingUnit.GRAPHEMES:
        return grapheme_count(text)
    if unit is CountingUnit.UTF16_UNITS:
        return len(text.encode("utf-16-le")) // 2
    if unit is CountingUnit.UTF8_BYTES:
        return len(text.encode("utf-8"))
    if unit is CountingUnit.MASTODON:
        shortened = _REMOTE_MENTION.sub(r"\1", text)
        urls = _URL.findall(shortened)
        return len(_URL.sub("", shortened)) + _MASTODON_URL_LENGTH * len(urls)
    return len(text)


def measure(
    text: str,
    *,
    network: Network | str,
    kind: str,
    handle: str | None = None,
    signature: str | None = None,
    prefix: str | None = None,
) -> Measure:
    """Measure a reply against its network's limit, handle, prefix and signature included."""
    network_limit = limit_for(network, kind)
    composed = compose_reply(text, handle=handle, prefix=prefix, signature=signature)
    used = count(composed, network_limit.unit)
    remaining = network_limit.limit - used
    return Measure(
        used=used,
        limit=network_limit.limit,
        remaining=remaining,
        over=remaining < 0,
        unit=network_limit.unit,
    )


def fits(text: str, network_limit: NetworkLimit) -> bool:
    """True when an already composed ``text`` is within ``network_limit``."""
    return count(text, network_limit.unit) <= network_limit.limit


def grapheme_count(text: str) -> int:
    """Count user-perceived characters (extended grapheme clusters, simplified).

    Combining marks, variation selectors, emoji modifiers and tag characters join the
    character before them; a zero-width joiner joins the next character too; regional
    indicators pair into one flag; CR LF is one. Enough for Bluesky's 300-grapheme limit
    without a Unicode segmentation dependency.
    """
    total = 0
    joined = False  # the previous code point was a zero-width joiner
    flag_open = False  # the current cluster is a lone regional indicator
    previous = ""
    for char in text:
        code = ord(char)
        is_regional = 0x1F1E6 <= code <= 0x1F1FF
        extends = (
            unicodedata.category(char) in ("Mn", "Me", "Mc")
            or 0xFE00 <= code <= 0xFE0F
            or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F
            or code == 0x200D
        )
        if total and (joined or extends or (char == "\n" and previous == "\r")):
            pass
        elif is_regional and flag_open:
            flag_open = False
        else:
            total += 1
            flag_open = is_regional
        joined = code == 0x200D
        previous = char
    return total


def _ends_with_cjk_or_space(text: str) -> bool:
    last = text[-1]
    return last.isspace() or ord(last) >= 0x2E80
