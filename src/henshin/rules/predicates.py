"""Turn what is left of each rule into a Python predicate ``(subject, keyword_hits) -> bool``.

The parts of a rule that the bitsets of `henshin.rules.index` cannot decide (a regex, an
age, a group mixing fields) become one generated function whose body is a single boolean
expression, with cheap field checks before keyword checks before regexes (reordering
``and``/``or`` operands changes the cost, never the result: they have no side effects). Measured against
nested closures, a flat expression halves the time spent per candidate rule.

The generated source contains only identifiers from the field catalog, operators, integer
keyword ids and names of constants (``c0``, ``c1`` …) bound in the function's namespace:
no text a user wrote is ever placed in the source.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import timedelta
from re import _constants, _parser  # type: ignore[attr-defined]  # re's own parser, read-only
from typing import Any

from henshin.rules.conditions import AllGroup, ConditionLeaf, ConditionNode, NotGroup
from henshin.rules.fields import CONDITION_FIELDS, FieldKind
from henshin.rules.matcher import Predicate
from henshin.rules.subject import RuleSubject

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


def build_predicates(
    residuals: Sequence[Sequence[ConditionNode]], keyword_ids: KeywordIds
) -> list[Predicate | None]:
    """One predicate per rule for the parts of it that must all hold (None: nothing left).

    ``keyword_ids`` maps keywords to automaton ids.
    """
    constants = _Constants()
    lines = []
    for number, parts in enumerate(residuals):
        if parts:
            expression, _ = _conjunction(parts, constants, keyword_ids)
            lines.append(f"def rule_{number}(s, h):\n    return {expression}\n")
    namespace: dict[str, Any] = dict(constants.values)
    source = "\n".join(lines)
    # Safe by construction (see the module docstring): catalog names and constants only.
    exec(compile(source, "<henshin rules>", "exec"), namespace)  # noqa: S102
    return [namespace[f"rule_{number}"] if parts else None for number, parts in enumerate(residuals)]


def _conjunction(
    parts: Sequence[ConditionNode], constants: _Constants, keyword_ids: KeywordIds
) -> tuple[str, int]:
    """Source of ``parts[0] and parts[1] and …``, cheapest first, and its estimated cost."""
    sources = sorted((_expression(part, constants, keyword_ids) for part in parts), key=lambda p: p[1])
    if not sources:
        return "True", 0
    return "(" + " and ".join(source for source, _ in sources) + ")", sum(c for _, c in sources)


def _expression(
    node: ConditionNode, constants: _Constants, keyword_ids: KeywordIds
) -> tuple[str, int]:
    """Source of a boolean expression for ``node`` and its estimated cost."""
    if isinstance(node, ConditionLeaf):
        return _leaf_expression(node, constants, keyword_ids)
    if isinstance(node, NotGroup):
        inner, cost = _expression(node.not_, constants, keyword_ids)
        return f"(not {inner})", cost
    if isinstance(node, AllGroup):
        return _conjunction(node.all_, constants, keyword_ids)
    parts = sorted((_expression(c, constants, keyword_ids) for c in node.any_), key=lambda p: p[1])
    return "(" + " or ".join(source for source, _ in parts) + ")", sum(c for _, c in parts)


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
        search = (
            f"({pattern}.search(s.text) is not None or (s.folded_text != s.text"
            f" and {pattern}.search(s.folded_text) is not None))"
        )
        needed = required_alternatives(value)
        if needed is None:
            return search, _COST_REGEX
        # `in` tests are ~50x cheaper than the search
        present = f"any(n in s.folded_text or n in s.text.lower() for n in {constants.name(needed)})"
        return f"({present} and {search})", _COST_REGEX
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


def regex_test(source: str) -> Callable[[RuleSubject], bool]:
    """Whether a subject's text or its folded form matches ``source`` (case ignored).

    The same test as a ``matches_regex`` leaf, as a function the matcher runs at most
    once per subject however many rules share the pattern.
    """
    pattern = re.compile(source, re.IGNORECASE)
    needed = required_alternatives(source)

    def test(subject: RuleSubject) -> bool:
        text, folded = subject.text, subject.folded_text
        if needed is not None:
            lowered = text.lower()
            if not any(n in folded or n in lowered for n in needed):
                return False
        return pattern.search(text) is not None or (folded != text and pattern.search(folded) is not None)

    return test


def required_alternatives(source: str) -> tuple[str, ...] | None:
    """Texts of which every match of the pattern contains at least one, in lower case.

    ``(order|注文)\\s*(no|番号)`` needs "order" or "注文"; ``#\\d{6,}`` needs "#". A match
    (case ignored) in the text or its folded form then leaves one of them in the folded
    form or in ``text.lower()``, so when none is there the search can be skipped. Only
    characters whose case-insensitive matches ``str.lower`` maps back to them qualify:
    ASCII other than the letters i, k and s (which ``re.IGNORECASE`` also matches to ı, K
    and ſ), and uncased letters such as kanji and kana. Literals under an optional part or
    a look-around are not required. Of several candidates, the one whose shortest text is
    longest wins. None when nothing is required.
    """
    try:
        parsed = _parser.parse(source)
    except (re.error, RecursionError):
        return None
    found = _required(list(parsed))
    return tuple(sorted(found)) if found else None


def _qualifies(code: int) -> bool:
    char = chr(code)
    if code < 128:
        return char.lower() not in "iks"
    return unicodedata.category(char) == "Lo"  # kanji, kana, hangul: no case


def _required(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The best set of texts one of which every match of a parsed sequence contains."""
    candidates: list[frozenset[str]] = []
    run = ""
    for op, argument in items:
        if op == _constants.LITERAL and _qualifies(argument):
            run += chr(argument).lower()
            continue
        if run:
            candidates.append(frozenset({run}))
        run = ""
        inner: frozenset[str] | None = None
        if op == _constants.SUBPATTERN:
            inner = _required(list(argument[-1]))
        elif op in _REPEATS and argument[0] >= 1:  # the body matches at least once
            inner = _required(list(argument[2]))
        elif op == _constants.BRANCH:
            branches = [_required(list(branch)) for branch in argument[1]]
            if all(branches):
                inner = frozenset().union(*branches)  # type: ignore[arg-type]
        if inner:
            candidates.append(inner)
    if run:
        candidates.append(frozenset({run}))
    return max(candidates, key=lambda texts: min(len(t) for t in texts), default=None)


_REPEATS = (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT)
