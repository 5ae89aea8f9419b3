"""An Instagram professional account's settings (Instagram API with Facebook Login)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class InstagramConfig(BaseModel):
    """What henshin needs to act as one Instagram business/creator account."""

    ig_user_id: str = Field(description="Instagram professional account id (IG user id)")
    username: str
    access_token: SecretStr = Field(description="Page / Instagram access token")
    app_secret: SecretStr = Field(description="Meta app secret: signs webhooks (X-Hub-Signature-256)")
    verify_token: SecretStr = Field(description="Chosen when subscribing the webhook (hub.verify_token)")
    app_id: str | None = None
    human_agent_tag: bool = Field(
        default=False, description="Answer up to 7 days after the customer's last message with Meta's "
        "HUMAN_AGENT tag (needs the app's Human Agent permission)")
    media_to_watch: int = Field(default=25, ge=1, le=100, description="Recent posts polled for comments")
