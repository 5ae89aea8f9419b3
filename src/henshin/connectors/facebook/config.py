"""A Facebook Page's settings (page access token from Facebook Login)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class FacebookConfig(BaseModel):
    """What henshin needs to act as one Facebook Page."""

    page_id: str
    page_name: str | None = None
    access_token: SecretStr = Field(description="Page access token")
    app_secret: SecretStr = Field(description="Meta app secret: signs webhooks (X-Hub-Signature-256)")
    verify_token: SecretStr = Field(description="Chosen when subscribing the webhook (hub.verify_token)")
    app_id: str | None = None
    human_agent_tag: bool = Field(
        default=False, description="Answer up to 7 days after the customer's last message with Meta's "
        "HUMAN_AGENT tag (needs the app's Human Agent permission)")
    posts_to_watch: int = Field(default=25, ge=1, le=100)
