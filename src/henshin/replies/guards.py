"""Checks a reply must pass before it is sent, each explaining itself in Japanese and English.

Active support is public: a phone number in a reply is read by everyone watching, the
same canned answer sent twice reads as a bot, and an author who asked brands to stay away
must be left alone. Each guard is a pure function of the reply and what is known about
the conversation; it returns a :class:`GuardFinding` or nothing.

A ``block`` finding stops the send until an agent overrides it with a reason (which the
storage phase records); a ``warn`` finding is shown beside the send button.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from henshin.replies.limits import Visibility
from henshin.replies.similarity import NEAR_DUPLICATE_THRESHOLD, text_similarity
from henshin.understand.analysis import analyze
from henshin.understand.normalize import fold
from henshin.understand.pii import PiiSpan, find_pii

Severity = Literal["block", "warn"]

DO_NOT_CONTACT_LABEL = "do_not_contact"
PRIVATE_KINDS = frozenset({"dm", "private_reply"})


@dataclass(frozen=True, slots=True)
class FindingSpan:
    """The part of the reply a finding is about: ``reply.text[start:end]``."""

    start: int
    end: int
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class GuardFinding:
    """One reason to look again before sending."""

    code: str
    severity: Severity
    message_ja: str
    message_en: str
    spans: tuple[FindingSpan, ...] = ()
    suggestion: str | None = None  # move_to_private, hand_off, review_earlier_reply…
    overridable: bool = True
    evidence: tuple[str, ...] = ()  # the earlier reply, the author's later posts


@dataclass(frozen=True, slots=True)
class ReplyDraft:
    """The reply being checked."""

    text: str
    visibility: Visibility | str
    network: str
    kind: str  # reply, comment, dm, private_reply

    @property
    def is_public(self) -> bool:
        """True when everyone watching will read the reply."""
        return Visibility(self.visibility) is Visibility.PUBLIC


@dataclass(frozen=True, slots=True)
class PastReply:
    """A reply already sent to the same person (any channel)."""

    text: str
    sent_at: datetime
    ticket_id: str | None = None


@dataclass(frozen=True, slots=True)
class LaterPost:
    """Something the author posted after the message being answered."""

    text: str
    created_at: datetime
    url: str | None = None


@dataclass(frozen=True, slots=True)
class GuardContext:
    """What is known about the conversation the reply answers."""

    customer_text: str = ""
    previous_replies_to_contact: Sequence[PastReply] = ()
    later_posts_by_author: Sequence[LaterPost] = ()
    contact_labels: frozenset[str] = frozenset()
    is_proactive: bool = False  # we reach out; the author did not address us
    order_patterns: Sequence[str] = ()
    # The customer message's intents (henshin.understand.analyze(...).intents); None
    # means "not analysed yet" and the guards analyse the customer text themselves.
    customer_intents: frozenset[str] | None = None
    repeat_threshold: float = field(default=NEAR_DUPLICATE_THRESHOLD)


Guard = Callable[[ReplyDraft, GuardContext], GuardFinding | None]

_PII_WORDS_JA = {
    "phone": "電話番号",
    "email": "メールアドレス",
    "postal_code": "郵便番号",
    "address": "住所",
    "card_number": "カード番号",
    "order_number": "注文・予約番号",
}
_NUMERIC_KINDS = frozenset({"phone", "card_number", "order_number", "postal_code"})


def check_personal_data(reply: ReplyDraft, context: GuardContext) -> GuardFinding | None:
    """Block personal data in a public reply, including the customer's own data quoted back."""
    if not reply.is_public:
        return None
    spans = [_span(s) for s in find_pii(reply.text, order_patterns=context.order_patterns)]
    quoted = _quoted_customer_data(reply.text, context)
    spans += [q for q in quoted if not any(_overlaps(q, s) for s in spans)]
    if not spans:
        return None
    spans.sort(key=lambda s: s.start)
    kinds = list(dict.fromkeys(s.kind for s in spans))
    quoted_note_ja = "（お客様ご自身の情報の引用を含みます）" if quoted else ""
    quoted_note_en = " (including the customer's own details quoted back)" if quoted else ""
    return GuardFinding(
        code="personal_data_public",
        severity="block",
        message_ja=(
            "公開返信に個人情報（"
            + "・".join(_PII_WORDS_JA.get(k, k) for k in kinds)
            + f"）が含まれています{quoted_note_ja}。DM・電話・メールでのご案内に切り替えてください。"
        ),
        message_en=(
            f"This public reply contains personal data ({', '.join(k.replace('_', ' ') for k in kinds)})"
            f"{quoted_note_en}. Move the conversation to DM, phone or email."
        ),
        spans=tuple(spans),
        suggestion="move_to_private",
    )


def check_repeated_guidance(reply: ReplyDraft, context: GuardContext) -> GuardFinding | None:
    """Flag guidance that is the same or nearly the same as a reply already sent to this person."""
    scored = [
        (text_similarity(reply.text, past.text), past)
        for past in context.previous_replies_to_contact
    ]
    repeats = sorted(
        (pair for pair in scored if pair[0] >= context.repeat_threshold),
        key=lambda pair: (-pair[0], pair[1].sent_at),
    )
    if not repeats:
        return None
    score, earliest = repeats[0]
    when = earliest.sent_at.strftime("%Y-%m-%d %H:%M UTC")
    return GuardFinding(
        code="repeated_guidance",
        severity="warn",
        message_ja=f"この方には {when} にほぼ同じ案内をお送りしています（類似度 {score:.0%}）。"
        "同じ文面を繰り返さず、状況を確認した返信をご検討ください。",
        message_en=f"Nearly the same guidance was already sent to this person on {when} "
        f"({score:.0%} similar). Consider answering where they are now instead of repeating it.",
        suggestion="review_earlier_reply",
        evidence=tuple(past.text for _, past in repeats),
    )


_SOLVED = re.compile(
    r"自己解決|解決しました|解決した|解決済|直りました|直った|治りました|できました|出来ました|"
    r"大丈夫になり|もう大丈夫|\bsolved\b|\bfixed it\b|\bfigured it out\b|\bnever ?mind\b|"
    r"\bworks now\b|\bworking now\b|\ball good now\b|\bsorted\b|\bno longer need\b",
    re.IGNORECASE,
)


def check_context_moved_on(reply: ReplyDraft, context: GuardContext) -> GuardFinding | None:
    """Show the author's posts made after the message being answered (maybe it is solved)."""
    posts = sorted(context.later_posts_by_author, key=lambda p: p.created_at)
    if not posts:
        return None
    solved = any(_SOLVED.search(fold(p.text)) for p in posts)
    return GuardFinding(
        code="context_moved_on",
        severity="warn",
        message_ja=(
            f"お客様はこのメッセージの後に {len(posts)} 件投稿しています"
            + ("。すでに自己解決された可能性があります" if solved else "")
            + "。送信前にご確認ください。"
        ),
        message_en=(
            f"The author posted {len(posts)} time(s) after the message you are answering"
            + (" and may have solved it already" if solved else "")
            + ". Read it before sending."
        ),
        suggestion="read_later_posts",
        evidence=tuple(p.text for p in posts),
    )


_NO_REPLY_WANTED = re.compile(
    r"返信不要|返信は不要|返信いらない|返信はいらない|リプ不要|リプライ不要|リプはいらない|"
    r"リプいらない|リプしないで|返信しないで|絡まないで|反応しないで|"
    r"(?:企業|公式)(?:アカウント)?(?:さん)?(?:から)?の?(?:リプ|返信|絡み)は?(?:不要|いらない|お断り|やめて)|"
    r"\bdon'?t (?:reply|respond)\b|\bdo not (?:reply|respond|contact)\b|\bno need to (?:reply|respond)\b|"
    r"\bstop (?:replying|responding)\b|\bno reply needed\b|\bnot asking for a (?:reply|response)\b|"
    r"\bdon'?t @ ?me\b",
    re.IGNORECASE,
)


def check_do_not_contact(reply: ReplyDraft, context: GuardContext) -> GuardFinding | None:
    """Block proactive contact with an author who asked brands to stay away.

    Answering their own direct message is always allowed; a public answer to a post in
    which they said they want no reply is flagged, not blocked.
    """
    labelled = DO_NOT_CONTACT_LABEL in context.contact_labels
    texts = [context.customer_text, *(p.text for p in context.later_posts_by_author)]
    asked = any(_NO_REPLY_WANTED.search(fold(t)) for t in texts if t)
    if not (labelled or asked):
        return None
    answering_their_dm = not context.is_proactive and reply.kind in PRIVATE_KINDS
    if answering_their_dm:
        return None
    why_ja = "連絡不要のラベルが付いています" if labelled else "ブランドからの返信を望まないと投稿しています"
    why_en = "is labelled do-not-contact" if labelled else "asked brands not to reply"
    if context.is_proactive:
        return GuardFinding(
            code="do_not_contact",
            severity="block",
            message_ja=f"この方は{why_ja}。こちらから話しかけることはできません。",
            message_en=f"This author {why_en}: they cannot be contacted proactively.",
            suggestion="do_not_send",
        )
    return GuardFinding(
        code="do_not_contact",
        severity="warn",
        message_ja=f"この方は{why_ja}。本当に返信が必要か確認してください。",
        message_en=f"This author {why_en}. Make sure a reply is really wanted.",
        suggestion="do_not_send",
    )


_MONEY_WORDS = re.compile(
    r"返金|払い戻し|返品|支払|お支払|決済|請求|引き落とし|引落|クレジット|口座|振込|振り込|"
    r"注文番号|ご注文|キャンセル料|"
    r"\brefund(?:s|ed)?\b|\bpayments?\b|\bcharged?\b|\bbilling\b|\bbill(?:ed)?\b|\binvoice\b|"
    r"\bcredit card\b|\border (?:number|#)|\bbank\b|\bchargeback\b",
    re.IGNORECASE,
)


def check_money_in_public(reply: ReplyDraft, context: GuardContext) -> GuardFinding | None:
    """Suggest a hand-off when an order, payment or refund matter is being answered in public."""
    if not reply.is_public:
        return None
    intents = context.customer_intents
    if intents is None:
        intents = _analyse_intents(context.customer_text)
    matches = list(_MONEY_WORDS.finditer(reply.text))
    if "order_payment" not in intents and not matches:
        return None
    return GuardFinding(
        code="money_in_public",
        severity="warn",
        message_ja="注文・支払い・返金のご相談は公開の場ではなく、DM・お電話・サポート窓口のフォームでご案内してください。",
        message_en="Orders, payments and refunds are handled in private: offer DM, phone "
        "or the support department's form instead of answering in public.",
        spans=tuple(FindingSpan(m.start(), m.end(), "money", m.group()) for m in matches),
        suggestion="hand_off",
    )


GUARDS: tuple[Guard, ...] = (
    check_personal_data,
    check_do_not_contact,
    check_money_in_public,
    check_repeated_guidance,
    check_context_moved_on,
)


def run_guards(reply: ReplyDraft, context: GuardContext) -> list[GuardFinding]:
    """Run every guard on a reply; blocking findings first."""
    findings = [f for guard in GUARDS if (f := guard(reply, context)) is not None]
    return sorted(findings, key=lambda f: 0 if f.severity == "block" else 1)


def unresolved(findings: Sequence[GuardFinding], overrides: Mapping[str, str]) -> list[GuardFinding]:
    """Return the findings that still stop a send, given overrides ``{code: reason}``.

    A blocking finding is resolved only by an override with a non-blank reason, and
    only when it is overridable.
    """
    return [
        f
        for f in findings
        if f.severity == "block"
        and not (f.overridable and overrides.get(f.code, "").strip())
    ]


def _span(pii: PiiSpan) -> FindingSpan:
    return FindingSpan(start=pii.start, end=pii.end, kind=pii.kind, text=pii.text)


def _overlaps(left: FindingSpan, right: FindingSpan) -> bool:
    return left.start < right.end and right.start < left.end


def _quoted_customer_data(reply_text: str, context: GuardContext) -> list[FindingSpan]:
    """Spans of the reply that repeat personal data the customer wrote."""
    if not context.customer_text:
        return []
    found: list[FindingSpan] = []
    digit_positions = [i for i, c in enumerate(reply_text) if c.isdecimal()]
    reply_digits = "".join(_ascii_digit(reply_text[i]) for i in digit_positions)
    lowered = reply_text.lower()
    for pii in find_pii(context.customer_text, order_patterns=context.order_patterns):
        if pii.kind in _NUMERIC_KINDS:
            digits = "".join(_ascii_digit(c) for c in pii.text if c.isdecimal())
            if len(digits) < 4:
                continue
            at = reply_digits.find(digits)
            if at >= 0:
                start, end = digit_positions[at], digit_positions[at + len(digits) - 1] + 1
                found.append(FindingSpan(start, end, pii.kind, reply_text[start:end]))
        else:
            at = lowered.find(pii.text.lower())
            if at >= 0:
                end = at + len(pii.text)
                found.append(FindingSpan(at, end, pii.kind, reply_text[at:end]))
    return found


def _ascii_digit(char: str) -> str:
    return str(int(char)) if char.isdecimal() else char


def _analyse_intents(customer_text: str) -> frozenset[str]:
    if not customer_text.strip():
        return frozenset()
    # The understanding models load on first use; callers usually pass the intents the
    # ingest already computed, so this runs only for text that was never analysed.
    return frozenset(analyze(customer_text).intents)
