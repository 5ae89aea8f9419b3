"""Compile a workspace's rules into one `CompiledRuleSet`.

Every keyword of every rule is folded once and given an id in one shared Aho-Corasick
automaton, so a subject's text is scanned once however many keywords there are; keyword
conditions then become set operations on the ids found. Each condition tree becomes one
generated predicate (`predicates.py`), and each rule is filed under a *gate* — facts of
which at least one must hold for it to match — so a subject evaluates only the rules
whose gate its keywords, channel, network, labels or scores open.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import ahocorasick  # type: ignore[import-not-found]

from henshin.rules.conditions import AllGroup, AnyGroup, ConditionLeaf, ConditionNode
from henshin.rules.fields import CONDITION_FIELDS, ConditionField, FieldKind
from henshin.rules.matcher import (
    CompiledRuleSet,
    NumericGate,
    RuleId,
    TriggerIndex,
    ordered_enabled_rules,
    scan_form,
)
from henshin.rules.predicates import build_predicates
from henshin.rules.schema import RuleSpec
from henshin.rules.subject import fold


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
    trees: list[ConditionNode] = [rule.conditions for _, rule in ordered]
    predicates = build_predicates(trees, table.ids_of)
    gates: list[Gate | None] = []
    for node in trees:
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
_KEYWORD_CHANCE = 0.0003  # measured: a 110-term list of mid-frequency words hits ~2%
_LABEL_CHANCE = 0.05
_NUMBER_CHANCE = 0.3
_FLAG_CHANCE = 0.5
_COMPARE = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


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
    if kind is FieldKind.RANKED and op in _COMPARE:
        choices = condition_field.choices or ()
        threshold = choices.index(value)
        values = [c for rank, c in enumerate(choices) if _COMPARE[op](rank, threshold)]
        return _value_gate(condition_field, values)
    if kind is FieldKind.NUMBER and op in ("gt", "gte", "lt", "lte"):
        return frozenset({("number", attribute, op, value)}), _NUMBER_CHANCE
    if op == "eq" and value is not None:
        return _value_gate(condition_field, [value])
    if op == "in" and kind is not FieldKind.NUMBER:
        return _value_gate(condition_field, value)
    return None


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
