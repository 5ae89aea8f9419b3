"""A LINE Official Account's Messaging API channel settings."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class LineConfig(BaseModel):
    """What henshin needs to act as one LINE Official Account."""

    channel_id: str
    channel_secret: SecretStr = Field(description="Signs webhooks (x-line-signature)")
    channel_access_token: SecretStr = Field(description="Long-lived channel access token")
    bot_user_id: str | None = Field(default=None, description="The 'destination' of webhooks")
    reply_token_ttl_seconds: int = Field(
        default=60, ge=1, description="How long a reply token is trusted before pushing instead")
