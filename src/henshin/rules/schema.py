"""A rule as JSON: trigger + conditions + actions, validated with errors that say where.

``parse_rule`` is the one entry point for the API and the UI: it returns a `RuleSpec` or
raises `RuleValidationError` whose problems read like
``conditions.all[2].field: 'sentimentt' is not a field; did you mean 'sentiment'?``.
``rule_json_schema`` exports the language for the UI's editor.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from henshin.kit.errors import InvalidInput
from henshin.rules.actions_schema import ACTION_TYPES, RuleAction
from henshin.rules.conditions import (
    AllGroup,
    Condition,
    ConditionNode,
    depth_of,
    did_you_mean,
    iter_leaves,
    problem,
)
from henshin.rules.fields import CONDITION_FIELDS

Trigger = Literal[
    "engagement_received", "ticket_updated", "ticket_idle", "sla_warning", "sla_breached"
]
TRIGGERS: tuple[str, ...] = typing.get_args(Trigger)

MAX_CONDITION_DEPTH = 8
MAX_LEAVES_PER_RULE = 200
MAX_ACTIONS_PER_RULE = 20


class RuleSpec(BaseModel):
    """One rule of a workspace, as the API and the UI exchange it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    trigger: Trigger = "engagement_received"
    idle_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 90)
    conditions: Condition = Field(default_factory=lambda: AllGroup(all_=[]))
    actions: list[RuleAction] = Field(min_length=1, max_length=MAX_ACTIONS_PER_RULE)
    stop_processing: bool = False
    enabled: bool = True
    position: int = 0

    @model_validator(mode="after")
    def _consistent(self) -> RuleSpec:
        if self.trigger == "ticket_idle" and self.idle_minutes is None:
            raise problem("a 'ticket_idle' rule needs 'idle_minutes'")
        if self.trigger != "ticket_idle" and self.idle_minutes is not None:
            raise problem("'idle_minutes' only applies to the 'ticket_idle' trigger")
        node: ConditionNode = self.conditions
        if depth_of(node) > MAX_CONDITION_DEPTH:
            raise problem(f"conditions are nested deeper than {MAX_CONDITION_DEPTH} levels")
        if len(iter_leaves(node)) > MAX_LEAVES_PER_RULE:
            raise problem(f"a rule holds at most {MAX_LEAVES_PER_RULE} conditions")
        return self

    def to_json(self) -> dict[str, Any]:
        """The rule as JSON-ready data (the shape ``parse_rule`` accepts)."""
        return self.model_dump(mode="json", by_alias=True)


@dataclass(frozen=True)
class RuleProblem:
    """One thing wrong with a rule: where (``conditions.all[2].field``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class RuleValidationError(InvalidInput):
    """A rule that does not validate; ``problems`` lists every problem found."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(str(p) for p in problems),
            details=[{"path": p.path, "message": p.message} for p in problems],
        )


def parse_rule(data: Mapping[str, Any] | str | bytes) -> RuleSpec:
    """Validate a rule given as JSON text or decoded data; raise `RuleValidationError`."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            raise RuleValidationError([RuleProblem("", f"not valid JSON: {error}")]) from None
    try:
        return RuleSpec.model_validate(data)
    except ValidationError as error:
        raise RuleValidationError(
            [_problem_from(detail) for detail in error.errors(include_url=False)]
        ) from None


def rule_json_schema() -> dict[str, Any]:
    """JSON Schema of the rule language, for the UI's rule editor."""
    schema = RuleSpec.model_json_schema(by_alias=True)
    # The leaf model alone says "field: string"; the editor also needs the catalog.
    schema["x-condition-fields"] = {
        name: {
            "kind": f.kind.value,
            "ops": list(f.ops),
            "choices": list(f.choices) if f.choices else None,
            "nullable": f.nullable,
        }
        for name, f in CONDITION_FIELDS.items()
    }
    schema["x-triggers"] = list(TRIGGERS)
    return schema


def _format_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith("~"):
            continue  # a union tag pydantic adds, not a key the user wrote
        else:
            path += f".{part}" if path else part
    return path


def _problem_from(detail: ErrorDetails) -> RuleProblem:
    path = _format_path(detail["loc"])
    given = detail.get("input")
    if detail["type"] == "unknown_action":
        kind = given.get("type") if isinstance(given, dict) else None
        if kind is None:
            return RuleProblem(path, "an action needs a 'type'; " + did_you_mean("", ACTION_TYPES))
        hint = did_you_mean(str(kind), ACTION_TYPES)
        return RuleProblem(f"{path}.type", f"'{kind}' is not an action; {hint}")
    if detail["type"] == "extra_forbidden":
        return RuleProblem(path, "is not a known key here")
    if detail["type"] == "missing":
        return RuleProblem(path, "is required")
    return RuleProblem(path, detail["msg"].removeprefix("Value error, "))
