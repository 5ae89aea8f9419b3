"""The compiled matcher: which rules match a subject, in which order, and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from henshin.rules.compiler import compile_rule_set
from henshin.rules.explain import dry_run, explain
from henshin.rules.naive import NaiveRuleSet
from henshin.rules.schema import RuleSpec
from henshin.rules.subject import RuleSubject

MakeRule = Callable[..., RuleSpec]
MakeSubject = Callable[..., RuleSubject]


def leaf(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def matched_names(rules: list[RuleSpec], subject: RuleSubject, **kwargs: Any) -> list[str]:
    compiled = [m.rule.name for m in compile_rule_set(rules).match(subject, **kwargs)]
    naive = [m.rule.name for m in NaiveRuleSet(rules).match(subject, **kwargs)]
    assert compiled == naive
    return compiled


@pytest.mark.parametrize(
    "text",
    ["返金してください", "ﾍﾝｷﾝ希望", "ヘンキンは？", "へんきん", "REFUND please", "ｒｅｆｕｎｄ"],
)
def test_keywords_match_across_width_kana_and_case(
    make_rule: MakeRule, make_subject: MakeSubject, text: str
) -> None:
    refund = make_rule(leaf("text", "contains_any", ["返金", "へんきん", "Refund"]), name="refund")
    assert matched_names([refund], make_subject(text=text)) == ["refund"]


def test_keywords_need_no_word_boundaries_and_absent_ones_do_not_match(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    delay = make_rule(leaf("text", "contains_any", ["遅延"]), name="delay")
    assert matched_names([delay], make_subject(text="配送が遅延している")) == ["delay"]
    assert matched_names([delay], make_subject(text="配送が遅れている")) == []


def test_contains_all_and_not_contains(make_rule: MakeRule, make_subject: MakeSubject) -> None:
    both = make_rule(leaf("text", "contains_all", ["注文", "キャンセル"]), name="both")
    never = make_rule(leaf("text", "not_contains", ["ありがとう"]), name="never")
    assert matched_names([both, never], make_subject(text="注文をｷｬﾝｾﾙしたい")) == ["both", "never"]
    assert matched_names([both, never], make_subject(text="注文ありがとう")) == []


def test_rules_come_back_in_position_order_and_stop_processing_stops(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    anything: dict[str, Any] = {"all": []}
    rules = [
        make_rule(anything, name="third", position=3),
        make_rule(anything, name="first", position=1),
        make_rule(anything, name="stopper", position=2, stop_processing=True),
        make_rule(anything, name="also first", position=1),
    ]
    assert matched_names(rules, make_subject()) == ["first", "also first", "stopper"]


def test_a_stop_rule_that_does_not_match_does_not_stop(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    rules = [
        make_rule(leaf("network", "eq", "line"), name="line only", stop_processing=True),
        make_rule({"all": []}, name="everything", position=1),
    ]
    assert matched_names(rules, make_subject(network="x")) == ["everything"]


def test_disabled_rules_and_other_triggers_are_left_out(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    rules = [
        make_rule(name="off", enabled=False),
        make_rule(name="idle", trigger="ticket_idle", idle_minutes=60),
        make_rule(name="on"),
    ]
    assert matched_names(rules, make_subject()) == ["on"]
    assert matched_names(rules, make_subject(), trigger="ticket_idle") == ["idle"]
    assert matched_names(rules, make_subject(), trigger=None) == ["idle", "on"]
    assert matched_names(rules, make_subject(), trigger="sla_breached") == []


def test_field_conditions(make_rule: MakeRule, make_subject: MakeSubject) -> None:
    vip_negative = make_rule(
        {
            "all": [
                leaf("contact_labels", "has_any", ["VIP"]),
                leaf("sentiment_score", "lte", -0.3),
                leaf("priority", "lt", "urgent"),
                leaf("assignee_user", "eq", None),
                leaf("author_verified", "is_false"),
                leaf("created_at", "newer_than_minutes", 30),
            ]
        },
        name="vip",
    )
    vip = make_subject(contact_labels=frozenset({"vip"}), sentiment_score=-0.5)
    assert matched_names([vip_negative], vip) == ["vip"]
    changes: list[dict[str, Any]] = [
        {"sentiment_score": -0.2},
        {"sentiment_score": None},
        {"priority": "urgent"},
        {"assignee_user_id": 12},
        {"author_verified": True},
        {"created_at": vip.now - timedelta(minutes=31)},
        {"contact_labels": frozenset()},
    ]
    for change in changes:
        values = {"contact_labels": frozenset({"vip"}), "sentiment_score": -0.5, **change}
        assert matched_names([vip_negative], make_subject(**values)) == [], change


def test_escalation_level_ranks_and_unset_values(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    high = make_rule(leaf("escalation_level", "gte", "L2"), name="L2+")
    unescalated = make_rule(leaf("escalation_level", "eq", None), name="none")
    rules = [high, unescalated]
    assert matched_names(rules, make_subject(escalation_level="L3")) == ["L2+"]
    assert matched_names(rules, make_subject(escalation_level="L1")) == []
    assert matched_names(rules, make_subject()) == ["none"]


def test_regex_runs_on_the_text_as_written_and_folded(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    order_number = make_rule(leaf("text", "matches_regex", r"#\d{6}"), name="order")
    assert matched_names([order_number], make_subject(text="注文番号 #123456 です")) == ["order"]
    assert matched_names([order_number], make_subject(text="注文番号 ＃１２３４５６")) == ["order"]
    assert matched_names([order_number], make_subject(text="注文番号 #12345")) == []


def test_keyword_sets_are_shared_across_rules(make_rule: MakeRule) -> None:
    rules = [
        make_rule(leaf("text", "contains_any", ["返金", "ﾍﾝｷﾝ", "refund"])),
        make_rule(leaf("text", "contains_all", ["ヘンキン", "REFUND", "遅延"])),
    ]
    # ﾍﾝｷﾝ and ヘンキン fold to へんきん, REFUND to refund: 返金, へんきん, refund, 遅延 remain
    assert compile_rule_set(rules).keyword_count == 4


def test_explain_says_which_leaves_held(make_rule: MakeRule, make_subject: MakeSubject) -> None:
    refund = make_rule(
        {
            "all": [
                leaf("text", "contains_any", ["返金", "refund"]),
                leaf("sentiment_score", "lte", -0.3),
                {"not": leaf("tags", "has_any", ["vip"])},
            ]
        },
        name="refunds",
    )
    lines = explain(make_subject(text="返金して", sentiment_score=-0.62), refund)
    assert lines == [
        "matched: text contains 返金",
        "matched: sentiment score -0.62 ≤ -0.3",
        "matched: not (tags has vip)",
        "rule 'refunds' matches",
    ]
    lines = explain(make_subject(text="返金して", tags=frozenset({"VIP"})), refund)
    assert lines[1] == "not matched: sentiment score ≤ -0.3"
    assert lines[2] == "not matched: not (tags has vip)"
    assert lines[-1] == "rule 'refunds' does not match"


def test_a_subject_folds_its_text_once(make_subject: MakeSubject) -> None:
    subject = make_subject(text="ﾍﾝｷﾝ")
    assert subject.folded_text == "へんきん"
    assert subject.folded_text is subject.folded_text


def test_a_subject_needs_aware_times(make_subject: MakeSubject) -> None:
    with pytest.raises(ValueError, match="aware"):
        make_subject(created_at=make_subject().now.replace(tzinfo=None))


def test_a_dry_run_lists_what_a_disabled_rule_would_have_matched(
    make_rule: MakeRule, make_subject: MakeSubject
) -> None:
    draft = make_rule(leaf("text", "contains_any", ["返金"]), enabled=False, stop_processing=True)
    past = [
        make_subject(text="返金してください"),
        make_subject(text="ありがとう"),
        make_subject(text="ﾍﾝｷﾝ? いいえ、返金です"),
    ]
    hits = dry_run(draft, past)
    assert [hit.index for hit in hits] == [0, 2]
    assert hits[0].reasons[0] == "matched: text contains 返金"
