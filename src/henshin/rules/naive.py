"""The straightforward evaluator: rule by rule, keyword by keyword.

It reads the validated condition tree directly, with no index, no shared automaton and no
reordering. It is the reference the compiled matcher is tested against, the baseline of
``benchmarks/rules.py``, and what `explain` uses to say why a leaf held.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache
from typing import Any

from henshin.rules.conditions import AllGroup, ConditionLeaf, ConditionNode, NotGroup
from henshin.rules.fields import CONDITION_FIELDS, FieldKind, rank_of
from henshin.rules.matcher import MatchedRule, RuleId, ordered_enabled_rules
from henshin.rules.schema import RuleSpec
from henshin.rules.subject import RuleSubject, fold


@lru_cache(maxsize=100_000)
def _folded(keyword: str) -> str:
    return fold(keyword)


@lru_cache(maxsize=4096)
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source, re.IGNORECASE)


def leaf_holds(leaf: ConditionLeaf, subject: RuleSubject) -> bool:
    """Whether one condition leaf holds for ``subject``."""
    condition_field = CONDITION_FIELDS[leaf.field]
    op, value = leaf.op, leaf.value
    if op in ("contains_any", "contains_all", "not_contains"):
        found = [_folded(keyword) in subject.folded_text for keyword in value]
        if op == "contains_any":
            return any(found)
        if op == "contains_all":
            return all(found)
        return not any(found)
    if op == "matches_regex":
        pattern = _pattern(value)
        return bool(pattern.search(subject.text) or pattern.search(subject.folded_text))
    actual: Any = getattr(subject, condition_field.attribute)
    if condition_field.kind is FieldKind.MOMENT:
        if actual is None:
            return False
        age = subject.now - actual
        limit = timedelta(minutes=value)
        return bool(age > limit) if op == "older_than_minutes" else bool(age < limit)
    return _compare(leaf, actual)


def _compare(leaf: ConditionLeaf, actual: Any) -> bool:
    """Whether a leaf on a field other than text or a moment holds when the field is ``actual``."""
    condition_field = CONDITION_FIELDS[leaf.field]
    op, value, kind = leaf.op, leaf.value, condition_field.kind
    if kind is FieldKind.FLAG:
        return bool(actual) if op == "is_true" else not actual
    if kind is FieldKind.LABEL_SET:
        present = [label in actual for label in value]
        if op == "has_any":
            return any(present)
        if op == "has_all":
            return all(present)
        return not any(present)
    if op == "eq":
        return bool(actual == value)
    if op == "ne":
        return bool(actual != value)
    if op == "in":
        return actual in value
    if op == "not_in":
        return actual not in value
    if kind is FieldKind.RANKED:
        actual, value = rank_of(condition_field, actual), rank_of(condition_field, value)
    if actual is None:
        return False
    if op == "gt":
        return bool(actual > value)
    if op == "gte":
        return bool(actual >= value)
    if op == "lt":
        return bool(actual < value)
    return bool(actual <= value)


def node_holds(node: ConditionNode, subject: RuleSubject) -> bool:
    """Whether a condition tree holds for ``subject``, evaluated as written."""
    if isinstance(node, ConditionLeaf):
        return leaf_holds(node, subject)
    if isinstance(node, NotGroup):
        return not node_holds(node.not_, subject)
    if isinstance(node, AllGroup):
        return all(node_holds(child, subject) for child in node.all_)
    return any(node_holds(child, subject) for child in node.any_)


def value_holds(node: ConditionNode, actual: Any) -> bool:
    """Whether a tree whose leaves all test one field (not text, not a moment) holds for ``actual``.

    The compiler asks this for every value of a field that makes a difference, to file
    rules in bitsets; answering it here keeps those bitsets true to this reference.
    """
    if isinstance(node, ConditionLeaf):
        return _compare(node, actual)
    if isinstance(node, NotGroup):
        return not value_holds(node.not_, actual)
    if isinstance(node, AllGroup):
        return all(value_holds(child, actual) for child in node.all_)
    return any(value_holds(child, actual) for child in node.any_)


class NaiveRuleSet:
    """Enabled rules evaluated one after another; same answers as `CompiledRuleSet`."""

    def __init__(self, rules: Iterable[RuleSpec | tuple[RuleId, RuleSpec]]) -> None:
        self._rules = ordered_enabled_rules(rules)

    def match(
        self, subject: RuleSubject, *, trigger: str | None = "engagement_received"
    ) -> list[MatchedRule]:
        """Rules whose conditions hold, in order, up to the first matched stop rule."""
        matched: list[MatchedRule] = []
        for rule_id, rule in self._rules:
            if trigger is not None and rule.trigger != trigger:
                continue
            if node_holds(rule.conditions, subject):
                matched.append(MatchedRule(rule_id, rule))
                if rule.stop_processing:
                    break
        return matched
