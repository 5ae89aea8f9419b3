"""Turn condition trees into Python predicates ``(subject, keyword_hits) -> bool``.

Each rule becomes one generated function whose body is a single boolean expression, with
cheap field checks before keyword checks before regexes (reordering ``and``/``or`` operands
changes the cost, never the result: the operands have no side effects). Measured against
nested closures, a flat expression halves the time spent per candidate rule.

The generated source contains only identifiers from the field catalog, operators, integer
keyword ids and names of constants (``c0``, ``c1`` …) bound in the function's namespace:
no text a user wrote is ever placed in the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from henshin.rules.conditions import AllGroup, ConditionLeaf, ConditionNode, NotGroup
from henshin.rules.fields import CONDITION_FIELDS, FieldKind
from henshin.rules.matcher import Predicate

KeywordIds = Callable[[list[str]], frozenset[int]]

_COST_FIELD = 1
_COST_KEYWORD = 2
_COST_REGEX = 20
_ORDER_SYMBOLS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class _Constants:
    """Values the generated source refers to by name."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def name(self, value: Any) -> str:
        name = f"c{len(self.values)}"
        self.values[name] = value
        return name


def build_predicates(trees: Sequence[ConditionNode], keyword_ids: KeywordIds) -> list[Predicate]:
    """One predicate per condition tree; ``keyword_ids`` maps keywords to automaton ids."""
    constants = _Constants()
    lines = []
    for number, tree in enumerate(trees):
        expression, _ = _expression(tree, constants, keyword_ids)
        lines.append(f"def rule_{number}(s, h):\n    return {expression}\n")
    namespace: dict[str, Any] = dict(constants.values)
    source = "\n".join(lines)
    # Safe by construction (see the module docstring): catalog names and constants only.
    exec(compile(source, "<henshin rules>", "exec"), namespace)  # noqa: S102
    return [namespace[f"rule_{number}"] for number in range(len(trees))]


def _expression(
    node: ConditionNode, constants: _Constants, keyword_ids: KeywordIds
) -> tuple[str, int]:
    """Source of a boolean expression for ``node`` and its estimated cost."""
    if isinstance(node, ConditionLeaf):
        return _leaf_expression(node, constants, keyword_ids)
    if isinstance(node, NotGroup):
        inner, cost = _expression(node.not_, constants, keyword_ids)
        return f"(not {inner})", cost
    children = node.all_ if isinstance(node, AllGroup) else node.any_
    parts = sorted((_expression(c, constants, keyword_ids) for c in children), key=lambda p: p[1])
    if not parts:
        return "True", 0
    joiner = " and " if isinstance(node, AllGroup) else " or "
    return "(" + joiner.join(source for source, _ in parts) + ")", sum(c for _, c in parts)


def _leaf_expression(
    leaf: ConditionLeaf, constants: _Constants, keyword_ids: KeywordIds
) -> tuple[str, int]:
    condition_field = CONDITION_FIELDS[leaf.field]
    value_of = f"s.{condition_field.attribute}"
    op, value, kind = leaf.op, leaf.value, condition_field.kind

    if op in ("contains_any", "contains_all", "not_contains"):
        ids = keyword_ids(value)
        if len(ids) == 1:
            (only,) = ids
            found = f"({int(only)} in h)"
            return (found if op != "not_contains" else f"(not {found})"), _COST_KEYWORD
        name = constants.name(ids)
        if op == "contains_any":
            return f"(not {name}.isdisjoint(h))", _COST_KEYWORD
        if op == "contains_all":
            return f"({name} <= h)", _COST_KEYWORD
        return f"{name}.isdisjoint(h)", _COST_KEYWORD
    if op == "matches_regex":
        pattern = constants.name(re.compile(value, re.IGNORECASE))
        return (
            f"({pattern}.search(s.text) is not None or (s.folded_text != s.text"
            f" and {pattern}.search(s.folded_text) is not None))"
        ), _COST_REGEX
    if kind is FieldKind.FLAG:
        return (f"bool({value_of})" if op == "is_true" else f"(not {value_of})"), _COST_FIELD
    if kind is FieldKind.MOMENT:
        age = constants.name(timedelta(minutes=value))
        symbol = ">" if op == "older_than_minutes" else "<"
        return f"({value_of} is not None and s.now - {value_of} {symbol} {age})", _COST_FIELD
    if kind is FieldKind.LABEL_SET:
        labels = constants.name(frozenset(value))
        if op == "has_any":
            return f"(not {labels}.isdisjoint({value_of}))", _COST_FIELD
        if op == "has_all":
            return f"({labels} <= {value_of})", _COST_FIELD
        return f"{labels}.isdisjoint({value_of})", _COST_FIELD
    if op in ("eq", "ne"):
        symbol = "==" if op == "eq" else "!="
        return f"({value_of} {symbol} {constants.name(value)})", _COST_FIELD
    if op in ("in", "not_in"):
        symbol = "in" if op == "in" else "not in"
        return f"({value_of} {symbol} {constants.name(frozenset(value))})", _COST_FIELD
    symbol = _ORDER_SYMBOLS[op]
    if kind is FieldKind.RANKED and condition_field.choices is not None:
        ranks = {choice: rank for rank, choice in enumerate(condition_field.choices)}
        rank_of = constants.name(ranks)
        threshold = constants.name(ranks[value])
        return (
            f"((x := {rank_of}.get({value_of})) is not None and x {symbol} {threshold})"
        ), _COST_FIELD
    threshold = constants.name(float(value))
    return f"((x := {value_of}) is not None and x {symbol} {threshold})", _COST_FIELD
