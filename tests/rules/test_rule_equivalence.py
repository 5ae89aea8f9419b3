"""Property: the compiled matcher answers exactly as the naive rule-by-rule evaluator."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
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
FILLER = ["", " ", "です", "。", "please ", "！", "の", "😀", "-", " - ", "ok"]
REGEXES = [
    "返金", "re?fund", "^ok", r"\d{3}", "ｷｬﾝｾﾙ", "遅延|ちえん", "(?i)LATE",
    r"#\d{3}", r"＃\d", r"(ok|#1)+\d", r"ok(?!#)", r"(#x)?\d", "- ?ok",
]  # fmt: skip
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
# Subjects also carry values between, beyond and outside every threshold.
SUBJECT_NUMBERS = [*NUMBERS, -1e9, -0.4, 0.1, 1.5, 1e9, float("nan"), float("inf")]
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
        channel_id=draw(optional(["c1", "c2", "3", "c9"])),
        language=draw(optional(["ja", "EN"])),
        sentiment_label=draw(optional(CHOICES["sentiment"])),
        sentiment_score=draw(optional(SUBJECT_NUMBERS)),
        intents=frozenset(draw(st.lists(st.sampled_from(LABELS), max_size=2))),
        urgency_level=draw(st.integers(-1, 4)),
        spam_score=draw(optional(SUBJECT_NUMBERS)),
        is_spam=draw(st.booleans()),
        author_followers=draw(optional([0, 1, 2, 100, 999, 1000, 50_000])),
        author_verified=draw(st.booleans()),
        contact_labels=frozenset(draw(st.lists(st.sampled_from(LABELS), max_size=2))),
        past_ticket_count=draw(st.sampled_from([0, 1, 2, 100])),
        tags=frozenset(draw(st.lists(st.sampled_from(LABELS), max_size=3))),
        priority=draw(st.sampled_from([*CHOICES["priority"], "unknown"])),
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


def _random_value(rng: random.Random, field: str, op: str) -> Any:
    kind = CONDITION_FIELDS[field].kind
    if op in ("contains_any", "contains_all", "not_contains"):
        return rng.sample(WORDS, rng.randint(1, 4))
    if op == "matches_regex":
        return rng.choice(REGEXES)
    if kind is FieldKind.FLAG:
        return None
    if kind is FieldKind.MOMENT:
        return rng.choice(MINUTES)
    if kind is FieldKind.LABEL_SET:
        return rng.sample(LABELS, rng.randint(1, 3))
    if kind is FieldKind.NUMBER:
        return rng.choice(NUMBERS)
    options = CHOICES[field]
    if op in ("in", "not_in"):
        return rng.sample(options, rng.randint(1, min(3, len(options))))
    return rng.choice([*options, None] if op in ("eq", "ne") else options)


def _random_rule(rng: random.Random, index: int) -> RuleSpec:
    """A rule of a large set: the shapes the compiler files differently, side by side."""

    def node(depth: int) -> dict[str, Any]:
        if depth == 0 or rng.random() < 0.4:
            field = rng.choice(sorted(CONDITION_FIELDS))
            op = rng.choice(CONDITION_FIELDS[field].ops)
            return {"field": field, "op": op, "value": _random_value(rng, field, op)}
        group = rng.choice(["all", "any", "not"])
        if group == "not":
            return {"not": node(depth - 1)}
        return {group: [node(depth - 1) for _ in range(rng.randint(1, 3))]}

    return parse_rule(
        {
            "name": f"r{index}",
            "conditions": {"all": [node(2) for _ in range(rng.randint(1, 4))]},
            "actions": [{"type": "close"}],
            "trigger": rng.choice(["engagement_received", "ticket_updated"]),
            "stop_processing": rng.random() < 0.02,
            "position": index,
        }
    )


def _random_subject(rng: random.Random) -> RuleSubject:
    def maybe(values: list[Any]) -> Any:
        return rng.choice([None, *values])

    return RuleSubject(
        network=rng.choice(CHOICES["network"]),
        kind=rng.choice(CHOICES["kind"]),
        text="".join(rng.choices(WORDS + FILLER, k=rng.randint(0, 6))),
        now=NOW,
        created_at=NOW - timedelta(minutes=rng.choice([0, 3, 5, 60, 61, 3000])),
        channel_id=maybe(["c1", "c2", "3", "c9"]),
        language=maybe(["ja", "EN"]),
        sentiment_label=maybe(CHOICES["sentiment"]),
        sentiment_score=maybe(SUBJECT_NUMBERS),
        intents=frozenset(rng.sample(LABELS, rng.randint(0, 2))),
        urgency_level=rng.randint(-1, 4),
        spam_score=maybe(SUBJECT_NUMBERS),
        is_spam=rng.random() < 0.5,
        author_followers=maybe([0, 1, 2, 100, 999, 1000, 50_000]),
        author_verified=rng.random() < 0.5,
        contact_labels=frozenset(rng.sample(LABELS, rng.randint(0, 2))),
        past_ticket_count=rng.choice([0, 1, 2, 100]),
        tags=frozenset(rng.sample(LABELS, rng.randint(0, 3))),
        priority=rng.choice([*CHOICES["priority"], "unknown"]),
        status=rng.choice(CHOICES["status"]),
        assignee_user_id=maybe(["u1", "u2"]),
        assignee_team_id=maybe(["t1", "t2"]),
        escalation_level=maybe(CHOICES["escalation_level"]),
        last_customer_message_at=maybe([NOW, NOW - timedelta(minutes=61)]),
        in_business_hours=rng.random() < 0.5,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_large_random_rule_set_matches_like_the_naive_one(seed: int) -> None:
    # Hundreds of rules share bitsets, keyword ids and thresholds: what one rule files must
    # never leak into another's verdict.
    rng = random.Random(seed)
    rule_list = [_random_rule(rng, index) for index in range(400)]
    compiled = compile_rule_set(rule_list)
    naive = NaiveRuleSet(rule_list)
    matched = 0
    for _ in range(300):
        subject = _random_subject(rng)
        for trigger in ("engagement_received", "ticket_updated", None):
            got = [m.rule_id for m in compiled.match(subject, trigger=trigger)]
            assert got == [m.rule_id for m in naive.match(subject, trigger=trigger)]
            matched += len(got)
    assert matched > 0  # the comparison covered rules that hold, not only empty answers
