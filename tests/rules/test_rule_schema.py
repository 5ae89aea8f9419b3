"""The rule language: what validates, and errors that say exactly what and where."""

from __future__ import annotations

import json
from typing import Any

import pytest

from henshin.rules.schema import RuleSpec, RuleValidationError, parse_rule, rule_json_schema


def problems_of(data: Any) -> list[str]:
    with pytest.raises(RuleValidationError) as caught:
        parse_rule(data)
    return [str(p) for p in caught.value.problems]


def leaf(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def with_conditions(*leaves: dict[str, Any]) -> dict[str, Any]:
    return {"name": "r", "conditions": {"all": list(leaves)}, "actions": [{"type": "close"}]}


def test_a_misspelled_field_is_named_with_its_path_and_a_suggestion() -> None:
    data = with_conditions(
        leaf("network", "eq", "x"),
        leaf("tags", "has_any", ["vip"]),
        leaf("sentimentt", "eq", "negative"),
    )
    assert problems_of(data) == [
        "conditions.all[2].field: 'sentimentt' is not a field; did you mean 'sentiment'?"
    ]


def test_an_operator_the_field_does_not_take_lists_the_ones_it_does() -> None:
    [message] = problems_of(with_conditions(leaf("tags", "gt", 3)))
    assert message.startswith("conditions.all[0].op: 'gt' is not an operator for 'tags'")
    assert "has_any, has_all, has_none" in message


def test_values_are_checked_against_the_field() -> None:
    found = problems_of(
        with_conditions(
            leaf("sentiment", "eq", "angry"),
            leaf("sentiment_score", "lte", "low"),
            leaf("is_spam", "is_true", "yes"),
            leaf("text", "contains_any", []),
            leaf("text", "matches_regex", "(unclosed"),
            leaf("priority", "gte", "critical"),
        )
    )
    assert found[0].startswith("conditions.all[0].value: 'angry' is not a valid sentiment")
    assert (
        found[1] == "conditions.all[1].value: 'sentiment_score' compares with a number, not 'low'"
    )
    assert found[2] == "conditions.all[2].value: 'is_true' takes no value; remove 'value'"
    assert found[3].startswith("conditions.all[3].value: needs a keyword")
    assert found[4].startswith("conditions.all[4].value: the pattern is not a valid regular")
    assert found[5].startswith("conditions.all[5].value: 'critical' is not a valid priority")


def test_nested_groups_report_the_full_path() -> None:
    data = {
        "name": "r",
        "conditions": {"any": [{"not": {"all": [leaf("kind", "eq", "dmm")]}}]},
        "actions": [{"type": "close"}],
    }
    [message] = problems_of(data)
    assert (
        message
        == "conditions.any[0].not.all[0].value: 'dmm' is not a valid kind; did you mean 'dm'?"
    )


def test_a_condition_of_unknown_shape_is_rejected() -> None:
    data = {"name": "r", "conditions": {"all": [], "any": []}, "actions": [{"type": "close"}]}
    [message] = problems_of(data)
    assert message.startswith('conditions: a condition is {"all": [...]}')


def test_unknown_actions_are_rejected_with_the_closest_allowed_one() -> None:
    data = {"name": "r", "actions": [{"type": "close"}, {"type": "asign_user", "user_id": 3}]}
    assert problems_of(data) == [
        "actions[1].type: 'asign_user' is not an action; did you mean 'assign_user'?"
    ]
    assert problems_of({"name": "r", "actions": [{"type": "exec", "cmd": "rm"}]})[0].startswith(
        "actions[0].type: 'exec' is not an action; expected one of assign_user"
    )


def test_action_parameters_are_typed() -> None:
    found = problems_of(
        {
            "name": "r",
            "actions": [
                {"type": "escalate", "level": "L4"},
                {"type": "notify_email", "to": "not-an-address", "subject": "s", "text": "t"},
                {"type": "notify_slack", "webhook_url": "ftp://x", "text": "t"},
                {"type": "snooze", "minutes": 0},
                {"type": "close", "extra": 1},
            ],
        }
    )
    paths = [message.split(":")[0] for message in found]
    assert paths == [
        "actions[0].level",
        "actions[0].note",
        "actions[1].to",
        "actions[2].webhook_url",
        "actions[3].minutes",
        "actions[4].extra",
    ]
    assert "actions[0].note: is required" in found


def test_ticket_idle_needs_idle_minutes_and_only_it_may_have_them() -> None:
    base = {"name": "r", "actions": [{"type": "close"}]}
    assert problems_of({**base, "trigger": "ticket_idle"}) == [
        "a 'ticket_idle' rule needs 'idle_minutes'"
    ]
    assert problems_of({**base, "idle_minutes": 30}) == [
        "'idle_minutes' only applies to the 'ticket_idle' trigger"
    ]
    assert parse_rule({**base, "trigger": "ticket_idle", "idle_minutes": 30}).idle_minutes == 30


def test_a_rule_needs_at_least_one_action_and_a_name() -> None:
    found = problems_of({"actions": []})
    assert "name: is required" in found
    assert any(message.startswith("actions:") for message in found)


def test_values_are_stored_normalised() -> None:
    spec = parse_rule(
        with_conditions(
            leaf("tags", "has_any", "VIP"),
            leaf("language", "in", ["JA", "en"]),
            leaf("assignee_user", "eq", 42),
            leaf("text", "contains_any", " 返金 "),
        )
    )
    values = [c.value for c in spec.conditions.all_]  # type: ignore[union-attr]
    assert values == [["vip"], ["ja", "en"], "42", ["返金"]]


def test_a_rule_round_trips_through_json() -> None:
    data = {
        "name": "返金の問い合わせ",
        "trigger": "engagement_received",
        "conditions": {
            "all": [
                leaf("text", "contains_any", ["返金", "refund"]),
                {"not": leaf("contact_labels", "has_any", ["do-not-contact"])},
                {"any": [leaf("sentiment", "eq", "negative"), leaf("urgency", "gte", 2)]},
            ]
        },
        "actions": [
            {"type": "assign_round_robin", "team_id": 7},
            {"type": "escalate", "level": "L2", "note": "refund request"},
            {"type": "auto_reply", "saved_reply_id": 3, "private": True},
        ],
        "stop_processing": True,
        "position": 4,
    }
    spec = parse_rule(json.dumps(data, ensure_ascii=False))
    again = parse_rule(spec.to_json())
    assert again == spec
    assert spec.to_json()["conditions"]["all"][1] == {
        "not": {"field": "contact_labels", "op": "has_any", "value": ["do-not-contact"]}
    }


def test_invalid_json_text_is_a_validation_error() -> None:
    assert problems_of("{not json")[0].startswith("not valid JSON")


def test_the_json_schema_lists_actions_fields_and_triggers() -> None:
    schema = rule_json_schema()
    assert set(schema["x-condition-fields"]["tags"]["ops"]) == {"has_any", "has_all", "has_none"}
    assert "ticket_idle" in schema["x-triggers"]
    assert "NotifyWebhook" in schema["$defs"]
    json.dumps(schema)  # the UI receives it as JSON
    assert RuleSpec.model_fields["stop_processing"].default is False


@pytest.mark.parametrize("pattern", ["(a+)+$", r"(\w*)*x", "([0-9]+){2,}"])
def test_regexes_that_can_backtrack_exponentially_are_refused(pattern: str) -> None:
    [message] = problems_of(with_conditions(leaf("text", "matches_regex", pattern)))
    assert "exponential time" in message


def test_ordinary_regexes_are_accepted() -> None:
    for pattern in [r"#\d{6,}", r"(order|注文)\s*(no|番号)", r"https?://\S+", r"(\d+)-(\d+)"]:
        parse_rule(with_conditions(leaf("text", "matches_regex", pattern)))
