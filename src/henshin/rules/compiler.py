"""Compile a workspace's rules into one `CompiledRuleSet`.

Every keyword of every rule is folded once and given an id in one shared Aho-Corasick
automaton, so a subject's text is scanned once however many keywords there are; keyword
conditions then become set operations on the ids found. Each condition tree becomes a
closure with cheap field checks before keyword checks before regexes (the order inside
``all``/``any`` does not change the result, only the cost).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import ahocorasick  # type: ignore[import-not-found]

from henshin.rules.conditions import AllGroup, AnyGroup, ConditionLeaf, ConditionNode, NotGroup
from henshin.rules.fields import CONDITION_FIELDS, ConditionField, FieldKind
from henshin.rules.matcher import (
    CompiledRuleSet,
    KeywordHits,
    NumericGate,
    Predicate,
    RuleId,
    TriggerIndex,
    ordered_enabled_rules,
    scan_form,
)
from henshin.rules.schema import RuleSpec
from henshin.rules.subject import RuleSubject, fold

_COST_FIELD = 1
_COST_KEYWORD = 2
_COST_REGEX = 20


class _KeywordTable:
    """Folded keyword → id, shared by all rules of the set."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def ids_of(self, keywords: list[str]) -> frozenset[int]:
        found: set[int] = set()
        for keyword in keywords:
            folded = fold(keyword)
            found.add(self.ids.setdefault(folded, len(self.ids)))
        return frozenset(found)

    def automaton(self) -> ahocorasick.Automaton | None:
        if not self.ids:
            return None
        automaton = ahocorasick.Automaton()
        for folded, keyword_id in self.ids.items():
            automaton.add_word(scan_form(folded), keyword_id)
        automaton.make_automaton()
        return automaton


def compile_rule_set(rules: Iterable[RuleSpec | tuple[RuleId, RuleSpec]]) -> CompiledRuleSet:
    """Compile the enabled rules (``(rule_id, rule)`` pairs or bare rules) of one workspace."""
    ordered = ordered_enabled_rules(rules)
    table = _KeywordTable()
    predicates: list[Predicate] = []
    gates: list[Gate | None] = []
    for _, rule in ordered:
        node: ConditionNode = rule.conditions
        predicate, _ = _compile_node(node, table)
        predicates.append(predicate)
        gate = _gate(node, table)
        gates.append(gate[0] if gate is not None and gate[1] < _USELESS_GATE else None)
    indexes: dict[str | None, TriggerIndex] = {}
    triggers = {rule.trigger for _, rule in ordered}
    for trigger in [None, *sorted(triggers)]:
        members = [i for i, (_, rule) in enumerate(ordered) if trigger in (None, rule.trigger)]
        indexes[trigger] = _trigger_index(members, gates)
    return CompiledRuleSet(
        rules=ordered,
        predicates=predicates,
        automaton=table.automaton(),
        indexes=indexes,
        keyword_count=len(table.ids),
    )


# A gate is a set of facts, at least one of which must be true for a rule to match:
# ("keyword", id) | ("value", attribute, value) | ("flag", attribute, bool)
# | ("label", attribute, label) | ("number", attribute, op, threshold).
Fact = tuple[Any, ...]
Gate = frozenset[Fact]
_USELESS_GATE = 0.9  # a gate open this often costs more than it saves

# Rough chance that one fact is true for a subject, to pick the most selective gate.
_KEYWORD_CHANCE = 0.002
_LABEL_CHANCE = 0.05
_NUMBER_CHANCE = 0.3
_FLAG_CHANCE = 0.5


def _value_chance(condition_field: ConditionField) -> float:
    return 1 / len(condition_field.choices) if condition_field.choices else 0.1


def _leaf_gate(leaf: ConditionLeaf, table: _KeywordTable) -> tuple[Gate, float] | None:
    condition_field = CONDITION_FIELDS[leaf.field]
    attribute, kind, op, value = (
        condition_field.attribute,
        condition_field.kind,
        leaf.op,
        leaf.value,
    )
    if op == "contains_any":
        ids = table.ids_of(value)
        return frozenset(("keyword", i) for i in ids), _KEYWORD_CHANCE * len(ids)
    if op == "contains_all":  # any one keyword is necessary; the longest is the rarest
        (only,) = table.ids_of([max(value, key=lambda k: len(fold(k)))])
        return frozenset({("keyword", only)}), _KEYWORD_CHANCE
    if kind is FieldKind.FLAG:
        return frozenset({("flag", attribute, op == "is_true")}), _FLAG_CHANCE
    if kind is FieldKind.LABEL_SET and op in ("has_any", "has_all"):
        labels = value if op == "has_any" else value[:1]
        return frozenset(("label", attribute, v) for v in labels), _LABEL_CHANCE * len(labels)
    if kind is FieldKind.RANKED and op in ("gt", "gte", "lt", "lte"):
        assert condition_field.choices is not None
        values = [
            c for c in condition_field.choices if _ranked_holds(condition_field, c, op, value)
        ]
        return _value_gate(condition_field, values)
    if kind is FieldKind.NUMBER and op in ("gt", "gte", "lt", "lte"):
        return frozenset({("number", attribute, op, value)}), _NUMBER_CHANCE
    if op == "eq" and value is not None:
        return _value_gate(condition_field, [value])
    if op == "in" and kind is not FieldKind.NUMBER:
        return _value_gate(condition_field, value)
    return None


def _ranked_holds(condition_field: ConditionField, candidate: str, op: str, value: str) -> bool:
    choices = condition_field.choices or ()
    mine, theirs = choices.index(candidate), choices.index(value)
    return {"gt": mine > theirs, "gte": mine >= theirs, "lt": mine < theirs, "lte": mine <= theirs}[
        op
    ]


def _value_gate(condition_field: ConditionField, values: list[Any]) -> tuple[Gate, float]:
    gate = frozenset(("value", condition_field.attribute, v) for v in values)
    return gate, _value_chance(condition_field) * len(values)


def _gate(node: ConditionNode, table: _KeywordTable) -> tuple[Gate, float] | None:
    """The most selective gate of ``node`` and its rough chance of opening (None: no gate)."""
    if isinstance(node, ConditionLeaf):
        return _leaf_gate(node, table)
    if isinstance(node, AllGroup):  # every child must hold: any child's gate will do
        gates = [g for g in (_gate(c, table) for c in node.all_) if g is not None]
        return min(gates, key=lambda g: g[1]) if gates else None
    if isinstance(node, AnyGroup):  # some child must hold: the union of all their gates
        facts: set[Fact] = set()
        chance = 0.0
        for child in node.any_:
            gate = _gate(child, table)
            if gate is None:
                return None
            facts |= gate[0]
            chance += gate[1]
        return frozenset(facts), chance
    return None  # a NOT holds when its inside does not: nothing is necessary


def _trigger_index(members: list[int], gates: list[Gate | None]) -> TriggerIndex:
    always: list[int] = []
    filed: dict[str, defaultdict[Any, list[int]]] = {
        kind: defaultdict(list) for kind in ("keyword", "value", "flag", "label", "number")
    }
    for rule_index in members:
        gate = gates[rule_index]
        if gate is None:
            always.append(rule_index)
            continue
        for fact in gate:
            key = fact[1] if fact[0] == "keyword" else fact[1:]
            filed[fact[0]][key].append(rule_index)
    numeric: list[NumericGate] = []
    by_threshold: defaultdict[tuple[str, str], dict[float, tuple[int, ...]]] = defaultdict(dict)
    for (attribute, op, threshold), rules in filed["number"].items():
        by_threshold[(attribute, op)][threshold] = tuple(rules)
    for (attribute, op), groups in sorted(by_threshold.items()):
        thresholds = tuple(sorted(groups))
        numeric.append(NumericGate(attribute, op, thresholds, tuple(groups[t] for t in thresholds)))

    def frozen(kind: str) -> dict[Any, tuple[int, ...]]:
        return {key: tuple(rules) for key, rules in filed[kind].items()}

    return TriggerIndex(
        always=tuple(always),
        by_keyword=frozen("keyword"),
        by_value=frozen("value"),
        value_attributes=tuple(sorted({key[0] for key in filed["value"]})),
        by_flag=frozen("flag"),
        flag_attributes=tuple(sorted({key[0] for key in filed["flag"]})),
        by_label=frozen("label"),
        label_attributes=tuple(sorted({key[0] for key in filed["label"]})),
        numeric=tuple(numeric),
    )


def _compile_node(node: ConditionNode, table: _KeywordTable) -> tuple[Predicate, int]:
    """A predicate for ``node`` and its estimated cost."""
    if isinstance(node, ConditionLeaf):
        return _compile_leaf(node, table)
    if isinstance(node, NotGroup):
        inner, cost = _compile_node(node.not_, table)
        return (lambda s, h: not inner(s, h)), cost
    children = node.all_ if isinstance(node, AllGroup) else node.any_
    compiled = sorted((_compile_node(child, table) for child in children), key=lambda pc: pc[1])
    predicates = tuple(p for p, _ in compiled)
    cost = sum(c for _, c in compiled)
    if isinstance(node, AllGroup):
        return _all_of(predicates), cost
    return _any_of(predicates), cost


def _all_of(predicates: tuple[Predicate, ...]) -> Predicate:
    if not predicates:
        return lambda s, h: True
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates
        return lambda s, h: first(s, h) and second(s, h)

    def holds(subject: RuleSubject, hits: KeywordHits) -> bool:
        for predicate in predicates:
            if not predicate(subject, hits):
                return False
        return True

    return holds


def _any_of(predicates: tuple[Predicate, ...]) -> Predicate:
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates
        return lambda s, h: first(s, h) or second(s, h)

    def holds(subject: RuleSubject, hits: KeywordHits) -> bool:
        for predicate in predicates:
            if predicate(subject, hits):
                return True
        return False

    return holds


def _compile_leaf(leaf: ConditionLeaf, table: _KeywordTable) -> tuple[Predicate, int]:
    condition_field = CONDITION_FIELDS[leaf.field]
    attribute = condition_field.attribute
    op, value = leaf.op, leaf.value
    kind = condition_field.kind

    if op in ("contains_any", "contains_all", "not_contains"):
        ids = table.ids_of(value)
        if op == "contains_any":
            if len(ids) == 1:
                (only,) = ids
                return (lambda s, h: only in h), _COST_KEYWORD
            return (lambda s, h: not ids.isdisjoint(h)), _COST_KEYWORD
        if op == "contains_all":
            return (lambda s, h: ids.issubset(h)), _COST_KEYWORD
        return (lambda s, h: ids.isdisjoint(h)), _COST_KEYWORD
    if op == "matches_regex":
        pattern = re.compile(value, re.IGNORECASE)
        return (
            lambda s, h: (
                pattern.search(s.text) is not None or pattern.search(s.folded_text) is not None
            )
        ), _COST_REGEX

    if kind is FieldKind.FLAG:
        if op == "is_true":
            return (lambda s, h: bool(getattr(s, attribute))), _COST_FIELD
        return (lambda s, h: not getattr(s, attribute)), _COST_FIELD
    if kind is FieldKind.MOMENT:
        age = timedelta(minutes=value)
        if op == "older_than_minutes":
            return (
                lambda s, h: (t := getattr(s, attribute)) is not None and s.now - t > age
            ), _COST_FIELD
        return (
            lambda s, h: (t := getattr(s, attribute)) is not None and s.now - t < age
        ), _COST_FIELD
    if kind is FieldKind.LABEL_SET:
        labels = frozenset(value)
        if op == "has_any":
            return (lambda s, h: not labels.isdisjoint(getattr(s, attribute))), _COST_FIELD
        if op == "has_all":
            return (lambda s, h: labels.issubset(getattr(s, attribute))), _COST_FIELD
        return (lambda s, h: labels.isdisjoint(getattr(s, attribute))), _COST_FIELD
    if op == "eq":
        return (lambda s, h: getattr(s, attribute) == value), _COST_FIELD
    if op == "ne":
        return (lambda s, h: getattr(s, attribute) != value), _COST_FIELD
    if op == "in":
        members = frozenset(value)
        return (lambda s, h: getattr(s, attribute) in members), _COST_FIELD
    if op == "not_in":
        members = frozenset(value)
        return (lambda s, h: getattr(s, attribute) not in members), _COST_FIELD
    return _compile_order(kind, attribute, op, value, condition_field.choices), _COST_FIELD


def _compile_order(
    kind: FieldKind, attribute: str, op: str, value: object, choices: tuple[str, ...] | None
) -> Predicate:
    if kind is FieldKind.RANKED and choices is not None:
        ranks = {choice: rank for rank, choice in enumerate(choices)}
        threshold: float = ranks[str(value)]

        def position(subject: RuleSubject) -> float | None:
            return ranks.get(getattr(subject, attribute))
    else:
        threshold = float(value)  # type: ignore[arg-type]

        def position(subject: RuleSubject) -> float | None:
            return getattr(subject, attribute)  # type: ignore[no-any-return]

    if op == "gt":
        return lambda s, h: (x := position(s)) is not None and x > threshold
    if op == "gte":
        return lambda s, h: (x := position(s)) is not None and x >= threshold
    if op == "lt":
        return lambda s, h: (x := position(s)) is not None and x < threshold
    return lambda s, h: (x := position(s)) is not None and x <= threshold
