"""Condition trees of the rule language: ``all`` / ``any`` / ``not`` groups over leaves.

A leaf is ``{"field": F, "op": OP, "value": V}``; the field catalog (`fields.py`) decides
which ops and values each field takes. Validation errors name the exact problem and, for a
misspelled field or op, the closest valid one. Values are stored normalised (keywords
stripped, labels case-folded, ids as text), so the matchers never re-check them.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from henshin.rules.fields import (
    CONDITION_FIELDS,
    KEYWORD_OPS,
    ORDER_OPS,
    ConditionField,
    FieldKind,
)
from henshin.understand.normalize import fold

MAX_KEYWORDS_PER_CONDITION = 1000
MAX_KEYWORD_LENGTH = 200
MAX_REGEX_LENGTH = 300
MAX_LIST_VALUES = 500
MAX_MINUTES = 60 * 24 * 366 * 5

# A repeated group whose body also repeats: (a+)+, (\w*)*, (x{2,})+ — the classic
# catastrophic-backtracking shapes (Python's re has no time limit).
_NESTED_REPETITION = re.compile(
    r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,?\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\d*\})"
)

ALL_OPS: tuple[str, ...] = tuple(
    dict.fromkeys(op for f in CONDITION_FIELDS.values() for op in f.ops)
)


def problem(message: str) -> PydanticCustomError:
    """A validation error whose message is shown to the user as it is."""
    return PydanticCustomError("rule_invalid", "{detail}", {"detail": message})


def did_you_mean(given: str, known: tuple[str, ...] | list[str]) -> str:
    """`` did you mean 'x'?`` for the closest known name, or a list of valid names."""
    close = difflib.get_close_matches(given, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "expected one of " + ", ".join(known)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class ConditionLeaf(BaseModel):
    """One test: ``{"field": "sentiment", "op": "eq", "value": "negative"}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    op: str
    value: Any = Field(default=None, validate_default=True)

    @field_validator("field")
    @classmethod
    def _known_field(cls, given: str) -> str:
        if given not in CONDITION_FIELDS:
            hint = did_you_mean(given, list(CONDITION_FIELDS))
            raise problem(f"'{given}' is not a field; {hint}")
        return given

    @field_validator("op")
    @classmethod
    def _op_allowed(cls, given: str, info: ValidationInfo) -> str:
        condition_field = CONDITION_FIELDS.get(info.data.get("field", ""))
        if condition_field is None:
            if given not in ALL_OPS:
                raise problem(f"'{given}' is not an operator; {did_you_mean(given, ALL_OPS)}")
            return given
        if given not in condition_field.ops:
            close = difflib.get_close_matches(given, condition_field.ops, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise problem(
                f"'{given}' is not an operator for '{condition_field.name}'; {hint}"
                f"'{condition_field.name}' takes " + ", ".join(condition_field.ops)
            )
        return given

    @field_validator("value")
    @classmethod
    def _value_fits(cls, given: Any, info: ValidationInfo) -> Any:
        condition_field = CONDITION_FIELDS.get(info.data.get("field", ""))
        op = info.data.get("op")
        if condition_field is None or op is None:
            return given  # the field or op error already says what is wrong
        return _normalise_value(condition_field, op, given)


def _normalise_value(condition_field: ConditionField, op: str, given: Any) -> Any:
    name = condition_field.name
    kind = condition_field.kind
    if op in KEYWORD_OPS:
        return _keywords(given)
    if op == "matches_regex":
        return _regex(given)
    if kind is FieldKind.FLAG:
        if given is not None:
            raise problem(f"'{op}' takes no value; remove 'value'")
        return None
    if kind is FieldKind.MOMENT:
        if not _is_number(given) or not 0 <= given <= MAX_MINUTES:
            raise problem(f"'{op}' needs a number of minutes between 0 and {MAX_MINUTES}")
        return float(given)
    if kind is FieldKind.LABEL_SET:
        return _label_list(given, op)
    if kind is FieldKind.NUMBER:
        if not _is_number(given):
            raise problem(f"'{name}' compares with a number, not {given!r}")
        return float(given)
    # LABEL, RANKED, IDENTIFIER
    if op in ("in", "not_in"):
        if not isinstance(given, list) or not given:
            raise problem(f"'{op}' needs a non-empty list of values")
        if len(given) > MAX_LIST_VALUES:
            raise problem(f"'{op}' takes at most {MAX_LIST_VALUES} values")
        return [_scalar(condition_field, item, allow_null=False) for item in given]
    allow_null = op in ("eq", "ne")
    if op in ORDER_OPS and given is None:
        raise problem(f"'{op}' needs a value")
    return _scalar(condition_field, given, allow_null=allow_null)


def _scalar(condition_field: ConditionField, given: Any, *, allow_null: bool) -> str | None:
    name = condition_field.name
    if given is None:
        if allow_null:
            return None
        raise problem(f"'{name}' needs a value, not null")
    if condition_field.kind is FieldKind.IDENTIFIER and _is_number(given):
        return str(given)
    if not isinstance(given, str) or not given.strip():
        raise problem(f"'{name}' compares with a text value, not {given!r}")
    value = given.strip()
    if condition_field.choices is None:
        return value.lower() if condition_field.kind is FieldKind.LABEL else value
    if value not in condition_field.choices:
        matches = {c.lower(): c for c in condition_field.choices}
        if value.lower() in matches:
            return matches[value.lower()]
        hint = did_you_mean(value, condition_field.choices)
        raise problem(f"'{value}' is not a valid {name}; {hint}")
    return value


def _keywords(given: Any) -> list[str]:
    items = [given] if isinstance(given, str) else given
    if not isinstance(items, list) or not items:
        raise problem("needs a keyword or a non-empty list of keywords")
    if len(items) > MAX_KEYWORDS_PER_CONDITION:
        raise problem(f"takes at most {MAX_KEYWORDS_PER_CONDITION} keywords, got {len(items)}")
    keywords: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise problem(f"keyword [{index}] must be text, not {item!r}")
        keyword = item.strip()
        if not fold(keyword).strip():
            raise problem(f"keyword [{index}] is empty")
        if len(keyword) > MAX_KEYWORD_LENGTH:
            raise problem(f"keyword [{index}] is longer than {MAX_KEYWORD_LENGTH} characters")
        keywords.append(keyword)
    return keywords


def _regex(given: Any) -> str:
    if not isinstance(given, str) or not given:
        raise problem("'matches_regex' needs a pattern as text")
    if len(given) > MAX_REGEX_LENGTH:
        raise problem(f"the pattern is longer than {MAX_REGEX_LENGTH} characters")
    try:
        re.compile(given)
    except re.error as error:
        raise problem(f"the pattern is not a valid regular expression: {error}") from None
    if _NESTED_REPETITION.search(given):
        raise problem(
            "the pattern repeats a group that itself repeats, like (a+)+, which can take "
            "exponential time; simplify it"
        )
    return given


def _label_list(given: Any, op: str) -> list[str]:
    items = [given] if isinstance(given, str) else given
    if not isinstance(items, list) or not items:
        raise problem(f"'{op}' needs a non-empty list of labels")
    labels: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise problem(f"label [{index}] must be non-empty text, not {item!r}")
        labels.append(item.strip().casefold())
    return labels


class AllGroup(BaseModel):
    """Holds when every condition in it holds (an empty group always holds)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    all_: list[Condition] = Field(alias="all")


class AnyGroup(BaseModel):
    """Holds when at least one condition in it holds."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    any_: list[Condition] = Field(alias="any", min_length=1)


class NotGroup(BaseModel):
    """Holds when its condition does not."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    not_: Condition = Field(alias="not")


_TAGS = {AllGroup: "~all", AnyGroup: "~any", NotGroup: "~not", ConditionLeaf: "~leaf"}


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        tag: str | None = _TAGS.get(type(value))
        return tag
    if not isinstance(value, dict):
        return None
    group_keys = value.keys() & {"all", "any", "not"}
    if len(group_keys) == 1 and len(value) == 1:
        return "~" + str(next(iter(group_keys)))
    if "field" in value or "op" in value:
        return "~leaf"
    return None


Condition = Annotated[
    Annotated[AllGroup, Tag("~all")]
    | Annotated[AnyGroup, Tag("~any")]
    | Annotated[NotGroup, Tag("~not")]
    | Annotated[ConditionLeaf, Tag("~leaf")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition_shape",
        custom_error_message=(
            'a condition is {"all": [...]}, {"any": [...]}, {"not": {...}} '
            'or {"field": ..., "op": ..., "value": ...}'
        ),
    ),
]

AllGroup.model_rebuild()
AnyGroup.model_rebuild()
NotGroup.model_rebuild()

ConditionNode = AllGroup | AnyGroup | NotGroup | ConditionLeaf


def iter_leaves(node: ConditionNode) -> list[ConditionLeaf]:
    """Every leaf of a condition tree, depth first, left to right."""
    if isinstance(node, ConditionLeaf):
        return [node]
    if isinstance(node, NotGroup):
        return iter_leaves(node.not_)
    children = node.all_ if isinstance(node, AllGroup) else node.any_
    return [leaf for child in children for leaf in iter_leaves(child)]


def depth_of(node: ConditionNode) -> int:
    """Nesting depth of a condition tree (a lone leaf is 1)."""
    if isinstance(node, ConditionLeaf):
        return 1
    if isinstance(node, NotGroup):
        return 1 + depth_of(node.not_)
    children = node.all_ if isinstance(node, AllGroup) else node.any_
    return 1 + max((depth_of(child) for child in children), default=0)
