"""Factories for rule tests: a subject with sensible defaults, a rule from short JSON."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from henshin.rules.schema import RuleSpec, parse_rule
from henshin.rules.subject import RuleSubject

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def subject(**overrides: Any) -> RuleSubject:
    """A Japanese X comment received five minutes ago, overridable field by field."""
    values: dict[str, Any] = {
        "network": "x",
        "kind": "comment",
        "text": "注文した商品が届きません",
        "now": NOW,
        "created_at": NOW - timedelta(minutes=5),
        "language": "ja",
    }
    values.update(overrides)
    return RuleSubject(**values)


def rule(conditions: dict[str, Any] | None = None, **extra: Any) -> RuleSpec:
    """A rule tagging ``matched`` under ``conditions``."""
    data: dict[str, Any] = {"name": extra.pop("name", "test rule")}
    if conditions is not None:
        data["conditions"] = conditions
    data["actions"] = extra.pop("actions", [{"type": "tag", "tags": ["matched"]}])
    data.update(extra)
    return parse_rule(data)


@pytest.fixture
def make_subject() -> Callable[..., RuleSubject]:
    return subject


@pytest.fixture
def make_rule() -> Callable[..., RuleSpec]:
    return rule
