"""The allow-list of actions a rule may take, each with typed parameters.

Only these shapes are accepted; an unknown ``type`` is rejected with the closest valid
name. Carrying the actions out (with logging and isolation of failures) belongs to the
storage phase; this module only says what a valid action looks like.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HTTP_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

Identifier = Annotated[str | int, Field(union_mode="left_to_right")]
Labels = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=100)]], Field(min_length=1, max_length=50)
]


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _url(value: str) -> str:
    if not _HTTP_URL.match(value):
        raise ValueError("must be an http:// or https:// URL")
    return value


class AssignUser(_Action):
    """Assign the ticket to one person."""

    type: Literal["assign_user"] = "assign_user"
    user_id: Identifier


class AssignTeam(_Action):
    """Assign the ticket to a team (no person)."""

    type: Literal["assign_team"] = "assign_team"
    team_id: Identifier


class AssignRoundRobin(_Action):
    """Assign to the next available member of a team in turn."""

    type: Literal["assign_round_robin"] = "assign_round_robin"
    team_id: Identifier


class AssignLeastLoaded(_Action):
    """Assign to the available member of a team with the fewest open tickets."""

    type: Literal["assign_least_loaded"] = "assign_least_loaded"
    team_id: Identifier


class AddTags(_Action):
    """Add tags to the ticket."""

    type: Literal["tag"] = "tag"
    tags: Labels


class RemoveTags(_Action):
    """Remove tags from the ticket."""

    type: Literal["untag"] = "untag"
    tags: Labels


class SetPriority(_Action):
    """Set the ticket's priority."""

    type: Literal["set_priority"] = "set_priority"
    priority: Literal["low", "normal", "high", "urgent"]


class Escalate(_Action):
    """Escalate to a level; the hand-off note is required."""

    type: Literal["escalate"] = "escalate"
    level: Literal["L1", "L2", "L3"]
    note: str = Field(min_length=1, max_length=4000)


class Snooze(_Action):
    """Snooze the ticket for a number of minutes (wakes early if the customer writes)."""

    type: Literal["snooze"] = "snooze"
    minutes: int = Field(ge=1, le=60 * 24 * 90)


class Close(_Action):
    """Close the ticket (no reply needed)."""

    type: Literal["close"] = "close"


class MarkSpam(_Action):
    """Mark the engagement as spam and close its ticket."""

    type: Literal["mark_spam"] = "mark_spam"


class HideComment(_Action):
    """Hide the comment on the network."""

    type: Literal["hide_comment"] = "hide_comment"


class DeleteComment(_Action):
    """Delete the comment on the network."""

    type: Literal["delete_comment"] = "delete_comment"


class AutoReply(_Action):
    """Reply with a saved reply (variables filled in), publicly or privately."""

    type: Literal["auto_reply"] = "auto_reply"
    saved_reply_id: Identifier
    private: bool = False


class AddNote(_Action):
    """Add an internal note to the ticket."""

    type: Literal["add_note"] = "add_note"
    text: str = Field(min_length=1, max_length=4000)


class NotifySlack(_Action):
    """Post to a Slack incoming webhook."""

    type: Literal["notify_slack"] = "notify_slack"
    webhook_url: str = Field(max_length=2000)
    text: str = Field(min_length=1, max_length=4000)

    _check_url = field_validator("webhook_url")(_url)


class NotifyEmail(_Action):
    """Send an email through the configured SMTP server."""

    type: Literal["notify_email"] = "notify_email"
    to: list[str] = Field(min_length=1, max_length=20)
    subject: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1, max_length=20000)

    @field_validator("to", mode="before")
    @classmethod
    def _addresses(cls, value: Any) -> Any:
        items = [value] if isinstance(value, str) else value
        if isinstance(items, list):
            for item in items:
                if not isinstance(item, str) or not _EMAIL.match(item.strip()):
                    raise ValueError(f"{item!r} is not an email address")
            return [item.strip() for item in items]
        return value


class NotifyWebhook(_Action):
    """POST a signed JSON payload (HMAC-SHA256 with ``secret``) to a URL."""

    type: Literal["notify_webhook"] = "notify_webhook"
    url: str = Field(max_length=2000)
    secret: str = Field(min_length=8, max_length=500)

    _check_url = field_validator("url")(_url)


ACTION_MODELS: dict[str, type[_Action]] = {
    model.model_fields["type"].default: model
    for model in (
        AssignUser,
        AssignTeam,
        AssignRoundRobin,
        AssignLeastLoaded,
        AddTags,
        RemoveTags,
        SetPriority,
        Escalate,
        Snooze,
        Close,
        MarkSpam,
        HideComment,
        DeleteComment,
        AutoReply,
        AddNote,
        NotifySlack,
        NotifyEmail,
        NotifyWebhook,
    )
}
ACTION_TYPES: tuple[str, ...] = tuple(ACTION_MODELS)


def _action_tag(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return f"~{kind}" if kind in ACTION_MODELS else None


RuleAction = Annotated[
    Annotated[AssignUser, Tag("~assign_user")]
    | Annotated[AssignTeam, Tag("~assign_team")]
    | Annotated[AssignRoundRobin, Tag("~assign_round_robin")]
    | Annotated[AssignLeastLoaded, Tag("~assign_least_loaded")]
    | Annotated[AddTags, Tag("~tag")]
    | Annotated[RemoveTags, Tag("~untag")]
    | Annotated[SetPriority, Tag("~set_priority")]
    | Annotated[Escalate, Tag("~escalate")]
    | Annotated[Snooze, Tag("~snooze")]
    | Annotated[Close, Tag("~close")]
    | Annotated[MarkSpam, Tag("~mark_spam")]
    | Annotated[HideComment, Tag("~hide_comment")]
    | Annotated[DeleteComment, Tag("~delete_comment")]
    | Annotated[AutoReply, Tag("~auto_reply")]
    | Annotated[AddNote, Tag("~add_note")]
    | Annotated[NotifySlack, Tag("~notify_slack")]
    | Annotated[NotifyEmail, Tag("~notify_email")]
    | Annotated[NotifyWebhook, Tag("~notify_webhook")],
    Discriminator(
        _action_tag,
        custom_error_type="unknown_action",
        custom_error_message="not an allowed action",
    ),
]
