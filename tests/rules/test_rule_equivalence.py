"""Property: the compiled matcher answers exactly as the naive rule-by-rule evaluator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from henshin.rules.compiler import compile_rule_set
from henshin.rules.fields import CONDITION_FIELDS, FieldKind
from henshin.rules.naive import NaiveRuleSet
from henshin.rules.schema import RuleSpec, parse_rule
from henshin.rules.subject import RuleSubject

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

# Words in several spellings: full/half width, katakana/hiragana, upper/lower case.
WORDS = [
    "返金", "へんきん", "ヘンキン", "ﾍﾝｷﾝ", "遅延", "ちえん", "ﾁｴﾝ", "キャンセル", "ｷｬﾝｾﾙ",
    "きゃんせる", "ありがとう", "アリガトウ", "refund", "REFUND", "Ｒｅｆｕｎｄ", "late", "ok",
    "注文", "ちゅうもん", "#123", "＃１２３",
]  # fmt: skip
FILLER = ["", " ", "です", "。", "please ", "！", "の", "😀"]
REGEXES = ["返金", "re?fund", "^ok", r"\d{3}", "ｷｬﾝｾﾙ", "遅延|ちえん", "(?i)LATE"]
CHOICES: dict[str, list[Any]] = {
    "network": ["x", "instagram", "line"],
    "kind": ["comment", "dm", "review"],
    "language": ["ja", "en"],
    "sentiment": ["positive", "neutral", "negative"],
    "status": ["open", "snoozed", "closed"],
    "channel": ["c1", "c2", 3],
    "assignee_user": ["u1", "u2"],
    "assignee_team": ["t1", "t2"],
    "priority": ["low", "normal", "high", "urgent"],
    "escalation_level": ["L1", "L2", "L3"],
}
NUMBERS = [-0.5, -0.3, 0, 0.3, 0.5, 1, 2, 100, 1000]
LABELS = ["vip", "VIP", "complaint", "refund", "do-not-contact"]
MINUTES = [0, 5, 60, 1440]


def value_for(field: str, op: str) -> st.SearchStrategy[Any]:
    kind = CONDITION_FIELDS[field].kind
    if op in ("contains_any", "contains_all", "not_contains"):
        return st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)
    if op == "matches_regex":
        return st.sampled_from(REGEXES)
    if kind is FieldKind.FLAG:
        return st.none()
    if kind is FieldKind.MOMENT:
        return st.sampled_from(MINUTES)
    if kind is FieldKind.LABEL_SET:
        return st.lists(st.sampled_from(LABELS), min_size=1, max_size=3)
    if kind is FieldKind.NUMBER:
        return st.sampled_from(NUMBERS)
    options = CHOICES[field]
    if op in ("in", "not_in"):
        return st.lists(st.sampled_from(options), min_size=1, max_size=3)
    if op in ("eq", "ne"):
        return st.sampled_from([*options, None])
    return st.sampled_from(options)


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(sorted(CONDITION_FIELDS)))
    op = draw(st.sampled_from(CONDITION_FIELDS[field].ops))
    return {"field": field, "op": op, "value": draw(value_for(field, op))}


conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda c: {"all": c}),
        st.lists(inner, min_size=1, max_size=4).map(lambda c: {"any": c}),
        inner.map(lambda c: {"not": c}),
    ),
    max_leaves=8,
)


@st.composite
def rules(draw: st.DrawFn) -> RuleSpec:
    return parse_rule(
        {
            "name": "r",
            "conditions": draw(conditions),
            "actions": [{"type": "close"}],
            "stop_processing": draw(st.integers(0, 4)) == 0,
            "enabled": draw(st.integers(0, 9)) > 0,
            "position": draw(st.integers(0, 3)),
        }
    )


def optional(values: list[Any]) -> st.SearchStrategy[Any]:
    return st.sampled_from([None, *values])


@st.composite
def subjects(draw: st.DrawFn) -> RuleSubject:
    pieces = draw(st.lists(st.sampled_from(WORDS + FILLER), max_size=6))
    return RuleSubject(
        network=draw(st.sampled_from(CHOICES["network"])),
        kind=draw(st.sampled_from(CHOICES["kind"])),
        text="".join(pieces),
        now=NOW,
        created_at=NOW - timedelta(minutes=draw(st.sampled_from([0, 3, 5, 60, 61, 3000]))),
        channel_id=draw(optional(["c1", "c2", "3"])),
        language=draw(optional(["ja", "EN"])),
        sentiment_label=draw(optional(CHOICES["sentiment"])),
        sentiment_score=draw(optional(NUMBERS)),
        intents=frozenset(draw(st.lists(st.sampled_from(LABELS), max_size=2))),
        urgency_level=draw(st.integers(0, 3)),
        spam_score=draw(optional(NUMBERS)),
        is_spam=draw(st.booleans()),
        author_followers=draw(optional([0, 100, 1000, 50_000])),
        author_verified=draw(st.booleans()),
        contact_labels=frozenset(draw(st.lists(st.sampled_from(LABELS), max_size=2))),
        past_ticket_count=draw(st.sampled_from([0, 1, 2, 100])),
        tags=frozenset(draw(st.lists(st.sampled_from(LABELS), max_size=3))),
        priority=draw(st.sampled_from(CHOICES["priority"])),
        status=draw(st.sampled_from(CHOICES["status"])),
        assignee_user_id=draw(optional(["u1", "u2"])),
        assignee_team_id=draw(optional(["t1", "t2"])),
        escalation_level=draw(optional(CHOICES["escalation_level"])),
        last_customer_message_at=draw(optional([NOW, NOW - timedelta(minutes=61)])),
        in_business_hours=draw(st.booleans()),
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rule_list=st.lists(rules(), min_size=1, max_size=12),
    subject_list=st.lists(subjects(), min_size=1, max_size=6),
)
def test_compiled_matching_equals_naive_matching(
    rule_list: list[RuleSpec], subject_list: list[RuleSubject]
) -> None:
    compiled = compile_rule_set(rule_list)
    naive = NaiveRuleSet(rule_list)
    for subject in subject_list:
        for trigger in ("engagement_received", None):
            got = [m.rule_id for m in compiled.match(subject, trigger=trigger)]
            expected = [m.rule_id for m in naive.match(subject, trigger=trigger)]
            assert got == expected
