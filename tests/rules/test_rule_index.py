"""Which rules the compiled set visits at all: bitsets per keyword, channel, score…, regex prefilters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from henshin.connectors.types import Network
from henshin.rules.compiler import compile_rule_set
from henshin.rules.naive import NaiveRuleSet
from henshin.rules.predicates import required_alternatives
from henshin.rules.schema import RuleSpec
from henshin.rules.subject import RuleSubject

MakeRule = Callable[..., RuleSpec]
MakeSubject = Callable[..., RuleSubject]


def leaf(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def test_rules_whose_keywords_do_not_occur_are_not_evaluated(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    rules = [
        make_rule({"all": [leaf("text", "contains_any", ["返金"]), leaf("network", "eq", "x")]}),
        make_rule(leaf("text", "contains_any", ["遅延", "届かない"])),
        make_rule(leaf("channel", "eq", "c1")),
        make_rule(leaf("sentiment_score", "lte", -0.5)),
        make_rule({"not": leaf("text", "contains_any", ["ありがとう"])}),  # no gate: always
    ]
    compiled = compile_rule_set(rules)
    quiet = make_subject(text="こんにちは", channel_id="c2", sentiment_score=0.2)
    assert compiled.candidates(quiet) == [4]
    busy = make_subject(text="返金まだ？届かない", channel_id="c1", sentiment_score=-0.7)
    assert compiled.candidates(busy) == [0, 1, 2, 3, 4]


def test_an_any_group_is_gated_by_the_union_of_its_branches(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    either = make_rule({"any": [leaf("text", "contains_any", ["炎上"]), leaf("urgency", "gte", 3)]})
    compiled = compile_rule_set([either])
    assert compiled.candidates(make_subject(text="普通の質問")) == []
    assert compiled.candidates(make_subject(text="炎上してる")) == [0]
    assert compiled.candidates(make_subject(urgency_level=3)) == [0]


def test_enum_values_from_connectors_match_like_their_strings(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    rules = [make_rule(leaf("network", "in", ["instagram", "x"]), name="social")]
    subject = make_subject(network=Network.INSTAGRAM)
    assert [m.rule.name for m in compile_rule_set(rules).match(subject)] == ["social"]


def test_text_that_looks_like_code_is_only_ever_data(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    tricky = ['") or True or ("', "__import__('os')", "{}", "\\", "'''"]
    rules = [
        make_rule(leaf("text", "contains_any", tricky), name="tricky"),
        make_rule(leaf("tags", "has_any", tricky), name="tags"),
        make_rule(leaf("language", "eq", "x') or ('"), name="language"),
    ]
    compiled = compile_rule_set(rules)
    assert compiled.match(make_subject(text="plain text")) == []
    hit = make_subject(text="see __import__('os') here", tags=frozenset({"{}"}))
    assert [m.rule.name for m in compiled.match(hit)] == ["tricky", "tags"]
    assert [m.rule.name for m in NaiveRuleSet(rules).match(hit)] == ["tricky", "tags"]


def test_an_empty_rule_set_matches_nothing(make_subject: MakeSubject) -> None:
    compiled = compile_rule_set([])
    assert len(compiled) == 0
    assert compiled.match(make_subject()) == []
    assert compiled.keyword_hits(make_subject()) == set()


def test_a_regex_is_prefiltered_by_texts_every_match_must_contain() -> None:
    assert required_alternatives(r"#\d{6,}") == ("#",)
    assert required_alternatives(r"https?://\S+") == ("http",)  # the longest required run
    assert required_alternatives(r"\d{3}-\d{4}-\d{4}") == ("-",)
    assert required_alternatives(r"(x#y)+") == ("x#y",)  # a part that must match at least once
    assert required_alternatives(r"(Order|注文)\s*(no|番号)") == ("order", "注文")  # one of them, lower case
    assert required_alternatives(r"(order|\d)+") is None  # a branch with nothing required
    assert required_alternatives(r"(#x)?\d") is None  # optional
    assert required_alternatives(r"a(?!#)b") == ("a",)  # a look-ahead matches no text
    assert required_alternatives("refund") == ("refund",)
    assert required_alternatives("kiss") is None  # k, i and s also match K, ı and ſ


def test_the_prefilter_never_hides_a_match(make_rule: MakeRule, make_subject: MakeSubject) -> None:
    rules = [make_rule(leaf("text", "matches_regex", r"(order|注文)\s*(no|番号)"), name="order"),
             make_rule(leaf("text", "matches_regex", "ポイント"), name="points")]
    compiled, naive = compile_rule_set(rules), NaiveRuleSet(rules)
    for text, expected in (("ORDER No 123", ["order"]), ("ｏｒｄｅｒ ｎｏ", ["order"]), ("注文番号は?", ["order"]),
                           ("ポイントが付かない", ["points"]), ("配送が遅い", [])):
        subject = make_subject(text=text)
        assert [m.rule.name for m in compiled.match(subject)] == expected, text
        assert [m.rule.name for m in naive.match(subject)] == expected, text


def test_a_full_width_hash_still_matches_through_the_folded_text(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    rules = [make_rule(leaf("text", "matches_regex", r"#\d{3}"), name="order number")]
    subject = make_subject(text="注文番号＃１２３です")  # NFKC folds ＃１２３ to #123
    assert [m.rule.name for m in compile_rule_set(rules).match(subject)] == ["order number"]
    assert [m.rule.name for m in NaiveRuleSet(rules).match(subject)] == ["order number"]
