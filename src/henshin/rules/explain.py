"""Say why a rule matched a subject, leaf by leaf, for dry runs and the ticket history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from henshin.rules.compiler import compile_rule_set
from henshin.rules.conditions import AllGroup, ConditionLeaf, ConditionNode, NotGroup
from henshin.rules.fields import CONDITION_FIELDS
from henshin.rules.naive import leaf_holds, node_holds
from henshin.rules.schema import RuleSpec
from henshin.rules.subject import RuleSubject

_OP_WORDS = {
    "contains_any": "contains",
    "contains_all": "contains all of",
    "not_contains": "does not contain",
    "matches_regex": "matches",
    "eq": "=",
    "ne": "≠",
    "in": "is one of",
    "not_in": "is none of",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "has_any": "has",
    "has_all": "has all of",
    "has_none": "has none of",
    "is_true": "yes",
    "is_false": "no",
    "older_than_minutes": "more than",
    "newer_than_minutes": "less than",
}


def describe_leaf(leaf: ConditionLeaf, subject: RuleSubject | None = None) -> str:
    """A leaf in words, e.g. ``text contains 返金`` or ``sentiment score -0.62 ≤ -0.3``."""
    condition_field = CONDITION_FIELDS[leaf.field]
    label, words, value = condition_field.label, _OP_WORDS[leaf.op], leaf.value
    if leaf.op in ("is_true", "is_false"):
        return f"{label}: {words}"
    if leaf.op in ("older_than_minutes", "newer_than_minutes"):
        return f"{label} {words} {value:g} minutes ago"
    if leaf.op in ("contains_any", "contains_all", "not_contains"):
        shown = value
        if subject is not None and leaf.op == "contains_any":
            shown = [
                k for k in value if leaf_holds(leaf.model_copy(update={"value": [k]}), subject)
            ]
        return f"{label} {words} " + " / ".join(shown)
    if leaf.op == "matches_regex":
        return f"{label} {words} /{value}/"
    if isinstance(value, list):
        value = ", ".join(value)
    elif isinstance(value, float):
        value = f"{value:g}"
    if subject is not None and leaf.op in ("gt", "gte", "lt", "lte"):
        actual = getattr(subject, condition_field.attribute)
        shown_actual = f"{actual:g}" if isinstance(actual, float) else actual
        return f"{label} {shown_actual} {words} {value}"
    return f"{label} {words} {value}"


def explain(subject: RuleSubject, rule: RuleSpec) -> list[str]:
    """One line per condition leaf: ``matched: text contains 返金`` or ``not matched: …``.

    Leaves under a ``not`` read ``not (…)`` so a line always states what held or failed.
    The last line says whether the whole rule matched.
    """
    lines: list[str] = []
    _explain_node(rule.conditions, subject, lines, negated=False)
    verdict = "matches" if node_holds(rule.conditions, subject) else "does not match"
    lines.append(f"rule '{rule.name}' {verdict}")
    return lines


@dataclass(frozen=True)
class DryRunHit:
    """A past engagement a rule would have matched: its index in the input, and why."""

    index: int
    reasons: list[str]


def dry_run(rule: RuleSpec, subjects: Iterable[RuleSubject]) -> list[DryRunHit]:
    """Which ``subjects`` (e.g. the last N days, each with its own ``now``) ``rule`` matches.

    The rule is tried as if enabled, whatever its trigger, and alone (other rules' stop
    switches do not hide anything); each hit carries `explain`'s reasons.
    """
    trial = rule.model_copy(update={"enabled": True})
    compiled = compile_rule_set([trial])
    return [
        DryRunHit(index, explain(subject, rule))
        for index, subject in enumerate(subjects)
        if compiled.match(subject, trigger=None)
    ]


def _explain_node(
    node: ConditionNode, subject: RuleSubject, lines: list[str], *, negated: bool
) -> None:
    if isinstance(node, ConditionLeaf):
        held = leaf_holds(node, subject)
        text = describe_leaf(node, subject if held else None)
        if negated:
            text, held = f"not ({text})", not held
        lines.append(f"{'matched' if held else 'not matched'}: {text}")
        return
    if isinstance(node, NotGroup):
        _explain_node(node.not_, subject, lines, negated=not negated)
        return
    children = node.all_ if isinstance(node, AllGroup) else node.any_
    for child in children:
        _explain_node(child, subject, lines, negated=negated)


__all__ = ["DryRunHit", "describe_leaf", "dry_run", "explain"]
