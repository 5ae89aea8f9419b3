"""What the channels API reads and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ChannelHealth(BaseModel):
    """At a glance: ok / degraded / rate_limited / failing / disconnected / error / paused, and why."""

    state: str
    warnings: list[str] = Field(default_factory=list, description="what polls work but cannot read")
    status: str
    last_sync_at: datetime | None
    last_item_at: datetime | None
    lag_seconds: float | None = Field(description="now − the newest item's time")
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    rate_limited_until: datetime | None
    rate_limit: dict[str, Any] | None
    next_poll_at: datetime | None
    webhooks_pending: int
    webhooks_failed: int
    outbound_queued: int
    outbound_failed: int


class ChannelOut(BaseModel):
    id: int
    network: str
    name: str
    handle: str | None
    external_account_id: str | None
    status: str
    has_credentials: bool
    last_sync_at: datetime | None
    last_item_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    rate_limited_until: datetime | None
    settings: dict[str, Any] = Field(default_factory=dict)
    config: dict[str, Any] = Field(default_factory=dict, description="credentials with secrets masked")
    health: ChannelHealth | None = None
    webhook_path: str | None = None


class ChannelIn(BaseModel):
    network: str
    name: str = Field(min_length=1, max_length=200)
    handle: str | None = None
    external_account_id: str | None = None
    credentials: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)


class ChannelUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    credentials: dict[str, Any] | None = None
    settings: dict[str, Any] | None = None


class AlertOut(BaseModel):
    id: int
    channel_id: int
    kind: str
    message: str
    created_at: datetime


class DeliveryOut(BaseModel):
    id: int
    status: str
    attempts: int
    item_count: int
    error: str | None
    received_at: datetime
    processed_at: datetime | None
    body: str


class OAuthStartIn(BaseModel):
    network: str
    name: str = Field(default="", max_length=200)
    redirect_uri: str | None = None
    config: dict[str, Any] = Field(default_factory=dict, description="app credentials: client id/secret…")
    settings: dict[str, Any] = Field(default_factory=dict)
    channel_id: int | None = Field(default=None, description="reconnect this channel instead of adding one")


class OAuthStartOut(BaseModel):
    authorize_url: str
    state: str
    expires_at: datetime


class ModerationIn(BaseModel):
    engagement_id: int | None = None
    idempotency_key: str | None = Field(default=None, max_length=100)
