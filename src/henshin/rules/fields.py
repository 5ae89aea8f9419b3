"""The condition fields a rule may test, with the operators and values each one allows.

One catalog drives validation (which ops and values are legal where), the JSON Schema
shown to the UI, the compiled matcher and the naive evaluator, so they cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from henshin.connectors.types import EngagementKind, Network


class FieldKind(StrEnum):
    """How a field's value is shaped, which decides its operators."""

    TEXT = "text"  # free text: keywords, phrases, regex
    LABEL = "label"  # one string, optionally from a fixed list
    RANKED = "ranked"  # one string from an ordered list (priority < … < urgent)
    IDENTIFIER = "identifier"  # an id of a channel, a user, a team (compared as text)
    NUMBER = "number"
    LABEL_SET = "label_set"  # tags, contact labels, intents
    FLAG = "flag"  # true / false
    MOMENT = "moment"  # a datetime, tested by age relative to the subject's ``now``


TEXT_OPS: tuple[str, ...] = ("contains_any", "contains_all", "not_contains", "matches_regex")
EQUALITY_OPS: tuple[str, ...] = ("eq", "ne", "in", "not_in")
ORDER_OPS: tuple[str, ...] = ("gt", "gte", "lt", "lte")
SET_OPS: tuple[str, ...] = ("has_any", "has_all", "has_none")
FLAG_OPS: tuple[str, ...] = ("is_true", "is_false")
MOMENT_OPS: tuple[str, ...] = ("older_than_minutes", "newer_than_minutes")
KEYWORD_OPS: frozenset[str] = frozenset({"contains_any", "contains_all", "not_contains"})

OPS_BY_KIND: dict[FieldKind, tuple[str, ...]] = {
    FieldKind.TEXT: TEXT_OPS,
    FieldKind.LABEL: EQUALITY_OPS,
    FieldKind.RANKED: EQUALITY_OPS + ORDER_OPS,
    FieldKind.IDENTIFIER: EQUALITY_OPS,
    FieldKind.NUMBER: ("eq", "ne") + ORDER_OPS,
    FieldKind.LABEL_SET: SET_OPS,
    FieldKind.FLAG: FLAG_OPS,
    FieldKind.MOMENT: MOMENT_OPS,
}

PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
ESCALATION_LEVELS: tuple[str, ...] = ("L1", "L2", "L3")
SENTIMENTS: tuple[str, ...] = ("positive", "neutral", "negative")
STATUSES: tuple[str, ...] = ("open", "snoozed", "closed")


@dataclass(frozen=True)
class ConditionField:
    """One field of the rule language: its name in rules, where it lives on the subject."""

    name: str
    attribute: str  # attribute of RuleSubject
    kind: FieldKind
    label: str  # how explanations name it
    choices: tuple[str, ...] | None = None  # allowed values (ordered for RANKED)

    @property
    def ops(self) -> tuple[str, ...]:
        """The operators this field accepts."""
        return OPS_BY_KIND[self.kind]

    @property
    def nullable(self) -> bool:
        """Whether ``eq``/``ne`` may compare with null (unassigned, not escalated …)."""
        return self.kind in (FieldKind.LABEL, FieldKind.RANKED, FieldKind.IDENTIFIER)


_F = ConditionField
CONDITION_FIELDS: dict[str, ConditionField] = {
    f.name: f
    for f in (
        _F("network", "network", FieldKind.LABEL, "network", tuple(n.value for n in Network)),
        _F("channel", "channel_id", FieldKind.IDENTIFIER, "channel"),
        _F("kind", "kind", FieldKind.LABEL, "kind", tuple(k.value for k in EngagementKind)),
        _F("text", "text", FieldKind.TEXT, "text"),
        _F("language", "language", FieldKind.LABEL, "language"),
        _F("sentiment", "sentiment_label", FieldKind.LABEL, "sentiment", SENTIMENTS),
        _F("sentiment_score", "sentiment_score", FieldKind.NUMBER, "sentiment score"),
        _F("intents", "intents", FieldKind.LABEL_SET, "intents"),
        _F("urgency", "urgency_level", FieldKind.NUMBER, "urgency"),
        _F("spam_score", "spam_score", FieldKind.NUMBER, "spam score"),
        _F("is_spam", "is_spam", FieldKind.FLAG, "spam"),
        _F("author_followers", "author_followers", FieldKind.NUMBER, "author followers"),
        _F("author_verified", "author_verified", FieldKind.FLAG, "author verified"),
        _F("contact_labels", "contact_labels", FieldKind.LABEL_SET, "contact labels"),
        _F("past_ticket_count", "past_ticket_count", FieldKind.NUMBER, "past tickets"),
        _F("tags", "tags", FieldKind.LABEL_SET, "tags"),
        _F("priority", "priority", FieldKind.RANKED, "priority", PRIORITIES),
        _F("status", "status", FieldKind.LABEL, "status", STATUSES),
        _F("assignee_user", "assignee_user_id", FieldKind.IDENTIFIER, "assignee"),
        _F("assignee_team", "assignee_team_id", FieldKind.IDENTIFIER, "team"),
        _F(
            "escalation_level",
            "escalation_level",
            FieldKind.RANKED,
            "escalation",
            ESCALATION_LEVELS,
        ),
        _F("created_at", "created_at", FieldKind.MOMENT, "created"),
        _F(
            "last_customer_message_at",
            "last_customer_message_at",
            FieldKind.MOMENT,
            "last customer message",
        ),
        _F("in_business_hours", "in_business_hours", FieldKind.FLAG, "in business hours"),
    )
}


def rank_of(condition_field: ConditionField, value: str | None) -> int | None:
    """Position of ``value`` in a ranked field's order (None when unset or unknown)."""
    if value is None or condition_field.choices is None:
        return None
    try:
        return condition_field.choices.index(value)
    except ValueError:
        return None
