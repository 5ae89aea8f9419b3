"""Request and response shapes of saved replies, drafts, the composer and guarded sending.

The composer's JSON (``ComposeCheckOut``, ``SuggestionsOut``) is what the ticket page
calls on every pause in typing: flat, documented, and the same words as the guards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

IdentifyChoice = Literal["auto", "none"]
SelfIdentification = Literal["auto", "prefix", "signature", "both", "none"]
MarkerStyleChoice = Literal["ja", "en"]


class SavedReplyIn(BaseModel):
    """A new saved reply. ``shared: false`` makes it personal to its author."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=10_000, description="Text with {variables}")
    shortcut: str | None = Field(default=None, max_length=64, description="e.g. /delay")
    language: str | None = Field(default=None, max_length=16, description="ja, en… (none: any)")
    network: str | None = Field(default=None, max_length=32, description="x, instagram… (none: any)")
    tags: list[str] = Field(default_factory=list, max_length=30)
    shared: bool = True


class SavedReplyUpdate(BaseModel):
    """Fields to change; the ones left out keep their value (send null to clear a filter)."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=10_000)
    shortcut: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=16)
    network: str | None = Field(default=None, max_length=32)
    tags: list[str] | None = Field(default=None, max_length=30)


class SavedReplyOut(BaseModel):
    id: int
    title: str
    body: str
    shortcut: str | None
    language: str | None
    network: str | None
    tags: list[str]
    shared: bool
    owner_user_id: int | None
    variables: list[str]
    usage_count: int
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SavedReplyList(BaseModel):
    items: list[SavedReplyOut]
    total: int


class RenderIn(BaseModel):
    """Values for variables the ticket cannot supply (``order_url``…); they win over defaults."""

    model_config = ConfigDict(extra="forbid")
    variables: dict[str, str] = Field(default_factory=dict)


class RenderOut(BaseModel):
    saved_reply_id: int
    text: str
    missing: list[str] = Field(description="Variables without a value: kept as {name} in text")
    unknown: list[str] = Field(description="Variables henshin does not know (typos)")
    complete: bool
    usage_count: int


class SpanOut(BaseModel):
    start: int
    end: int
    kind: str
    text: str


class FindingOut(BaseModel):
    """One guard finding. ``block`` stops sending until overridden with a reason."""

    code: str = Field(description="personal_data_public, repeated_guidance, context_moved_on, "
                      "do_not_contact, money_in_public")
    severity: Literal["block", "warn"]
    message_ja: str
    message_en: str
    spans: list[SpanOut] = Field(description="Offsets into the text as typed by the agent")
    suggestion: str | None
    overridable: bool
    evidence: list[str] = Field(description="The earlier reply, the author's later posts…")


class MeasureOut(BaseModel):
    used: int
    limit: int
    remaining: int
    over: bool
    unit: str


class WindowOut(BaseModel):
    """Meta's 24-hour messaging window (Messenger, Instagram DMs)."""

    open: bool
    closes_at: datetime | None
    human_agent_open: bool
    explanation: str


class ComposeIn(BaseModel):
    """A reply being written on a ticket."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20_000)
    visibility: Literal["public", "private"] | None = Field(
        default=None, description="Default: private for DMs, public otherwise"
    )
    identify: IdentifyChoice = Field(
        default="auto", description="auto: add the workspace's prefix/signature; none: omit it"
    )
    in_reply_to: int | None = Field(
        default=None, description="Engagement id answered (default: the latest inbound message)"
    )
    marker_style: MarkerStyleChoice | None = Field(
        default=None, description="Thread markers: ja 「(続きます)」 or en \"(1/2)\""
    )


class ComposeCheckOut(BaseModel):
    ticket_id: int
    network: str
    kind: str = Field(description="reply, private_reply or dm")
    visibility: Literal["public", "private"]
    handle: str | None = Field(description="The @handle the network puts first (counted)")
    prefix: str | None
    signature: str | None
    measure: MeasureOut
    parts: list[str] = Field(description="The posts that would be sent (one when it fits)")
    needs_confirmation: bool = Field(description="More than 3 parts: send needs confirm_parts")
    split_error: str | None
    findings: list[FindingOut]
    blocked: bool = Field(description="A block finding is not overridden yet")
    messaging_window: WindowOut | None
    in_reply_to: int | None
    undo_seconds: int


class SendIn(ComposeIn):
    """Send a reply: guards run again; each block finding needs a reason in ``overrides``."""

    send_key: str | None = Field(
        default=None, max_length=80, description="Idempotency key: a retry sends nothing twice"
    )
    overrides: dict[str, str] = Field(
        default_factory=dict, description="{finding code: reason} for block findings"
    )
    confirm_parts: bool = False
    close: bool = False


class OutboundOut(BaseModel):
    id: int
    text: str
    state: str
    part: int
    parts: int
    send_after: datetime
    idempotency_key: str


class SendOut(BaseModel):
    ticket_id: int
    send_key: str
    outbound: list[OutboundOut]
    undo_until: datetime
    overridden: list[str]
    findings: list[FindingOut]


class UndoOut(BaseModel):
    cancelled: list[int]
    ticket_id: int | None


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=20_000)
    visibility: Literal["public", "private"] | None = None


class DraftOut(BaseModel):
    ticket_id: int
    text: str
    visibility: str | None
    updated_at: datetime | None


class SuggestedReply(BaseModel):
    id: int
    title: str
    body: str
    shortcut: str | None
    language: str | None
    score: float


class SuggestedArticle(BaseModel):
    id: int
    title: str
    slug: str
    language: str
    public_url: str
    score: float


class SuggestionsOut(BaseModel):
    ticket_id: int
    in_reply_to: int | None
    customer_text: str
    language: str | None
    saved_replies: list[SuggestedReply]
    articles: list[SuggestedArticle]


class DraftAIIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tone: Literal["friendly", "business", "apologetic"] = "business"
    language: str = Field(default="customer", max_length=16, description="ja, en or customer")
    visibility: Literal["public", "private"] | None = None
    identify: IdentifyChoice = "auto"
    in_reply_to: int | None = None


class GroundingOut(BaseModel):
    kind: Literal["saved_reply", "article"]
    id: int
    title: str


class DraftAIOut(BaseModel):
    """A proposal for the composer: never sent until a person confirms it."""

    text: str
    language: str
    tone: str
    generator: str
    generator_error: str | None
    grounded_on: list[GroundingOut]
    findings: list[FindingOut]
    missing_variables: list[str]
    measure: MeasureOut
    needs_confirmation: bool = True


class GeneratorIn(BaseModel):
    """An OpenAI-compatible endpoint (``kind: openai_compatible``) or the built-in drafts."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["grounded_template", "openai_compatible"] = "grounded_template"
    base_url: str | None = Field(default=None, max_length=500)
    model: str | None = Field(default=None, max_length=200)
    api_key: str | None = Field(default=None, max_length=500, description="Write-only; kept encrypted")


class GeneratorOut(BaseModel):
    kind: str
    base_url: str | None
    model: str | None
    has_api_key: bool


class ComposerSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    self_identification: SelfIdentification | None = None
    undo_seconds: int | None = Field(default=None, ge=0, le=60)
    marker_style: MarkerStyleChoice | None = None
    support_url: str | None = Field(default=None, max_length=500)
    order_patterns: list[str] | None = Field(default=None, max_length=20)
    generator: GeneratorIn | None = None


class ComposerSettingsOut(BaseModel):
    self_identification: str
    undo_seconds: int
    marker_style: str
    support_url: str | None
    order_patterns: list[str]
    generator: GeneratorOut
