"""Ticket shapes for the API: filters, list rows, detail, and action inputs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from henshin.models.ticket import Priority, TicketStatus


class TicketSort(StrEnum):
    ACTIVITY = "activity"  # newest activity first
    OLDEST_WAITING = "oldest_waiting"  # longest waiting for our answer first
    OLDEST = "oldest"


class TicketFilter(BaseModel):
    """Any combination of these narrows the inbox (also stored as saved views)."""

    model_config = ConfigDict(extra="forbid")

    status: list[TicketStatus] = Field(default_factory=list)
    network: list[str] = Field(default_factory=list)
    channel_id: list[int] = Field(default_factory=list)
    kind: list[str] = Field(default_factory=list)
    tag: list[str] = Field(default_factory=list)
    assignee_id: list[int] = Field(default_factory=list)
    team_id: list[int] = Field(default_factory=list)
    unassigned: bool = False
    priority: list[Priority] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list)
    sentiment: list[Literal["positive", "neutral", "negative"]] = Field(default_factory=list)
    escalation_level: list[Literal["L1", "L2", "L3"]] = Field(default_factory=list)
    contact_id: int | None = None
    spam: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    q: str | None = Field(default=None, max_length=200)
    # Set by the query layer: ``q`` folded like the stored search text.
    folded_query: str | None = Field(default=None, exclude=True)

    @field_validator("created_from", "created_to", "updated_from", "updated_to")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("dates need a timezone, e.g. 2026-11-23T00:00:00+09:00")
        return value


class ContactSummary(BaseModel):
    id: int
    network: str
    external_id: str
    handle: str | None
    display_name: str | None
    avatar_url: str | None
    followers: int | None
    verified: bool
    labels: list[str]
    ticket_count: int


class TicketOut(BaseModel):
    id: int
    channel_id: int
    network: str
    kind: str
    subject: str
    status: TicketStatus
    priority: Priority
    assignee_user_id: int | None
    assignee_team_id: int | None
    escalation_level: str | None
    language: str | None
    sentiment_label: str | None
    sentiment_score: float | None
    is_spam: bool
    tags: list[str]
    contact: ContactSummary | None
    created_at: datetime
    last_activity_at: datetime
    waiting_since: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    snooze_until: datetime | None
    reopen_count: int
    message_count: int
    unread: bool | None = None
    sla_first_response_due_at: datetime | None = None
    sla_next_response_due_at: datetime | None = None
    sla_resolution_due_at: datetime | None = None


class TicketPage(BaseModel):
    items: list[TicketOut]
    next_cursor: str | None
    total: int | None = None


class MessageOut(BaseModel):
    """One line of the conversation: an inbound engagement or an outbound reply."""

    id: int
    type: Literal["inbound", "outbound"]
    kind: str
    text: str
    created_at: datetime
    external_id: str | None = None
    url: str | None = None
    author: ContactSummary | None = None
    author_user_id: int | None = None
    language: str | None = None
    sentiment_label: str | None = None
    sentiment_score: float | None = None
    rating: int | None = None
    media: list[dict[str, Any]] = Field(default_factory=list)
    post: dict[str, Any] | None = None
    analysis: dict[str, Any] | None = None
    delivery_state: str | None = None
    delivery_error: str | None = None
    visibility: str | None = None
    is_gratitude: bool = False


class NoteOut(BaseModel):
    id: int
    author_user_id: int | None
    text: str
    mentions: list[int]
    created_at: datetime


class EventOut(BaseModel):
    id: int
    type: str
    actor_type: str
    actor_id: int | None
    data: dict[str, Any]
    created_at: datetime


class ReaderOut(BaseModel):
    user_id: int
    read_at: datetime


class TicketDetail(TicketOut):
    messages: list[MessageOut]
    notes: list[NoteOut]
    events: list[EventOut]
    readers: list[ReaderOut]


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: int | None = None
    team_id: int | None = None


class TagsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tags: list[str] = Field(min_length=1, max_length=50)


class PriorityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    priority: Priority


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10000)


class SnoozeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    until: datetime

    @field_validator("until")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("'until' needs a timezone, e.g. 2026-11-24T09:00:00+09:00")
        return value


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20000)
    visibility: Literal["public", "private"] = "public"
    idempotency_key: str | None = Field(default=None, max_length=100)
    close: bool = False


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticket_ids: list[int] = Field(min_length=1, max_length=500)
    action: Literal["close", "assign", "tag", "snooze", "reopen", "mark_read"]
    user_id: int | None = None
    team_id: int | None = None
    tags: list[str] = Field(default_factory=list)
    until: datetime | None = None
