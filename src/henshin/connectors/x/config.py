"""An X channel's settings and credentials (OAuth 2.0 user context)."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class XConfig(BaseModel):
    """What henshin needs to act as one X account."""

    user_id: str = Field(description="Numeric id of the brand's X account")
    username: str = Field(description="The account's @handle, without @")
    access_token: SecretStr = Field(description="OAuth 2.0 user access token")
    refresh_token: SecretStr | None = None
    client_id: str | None = Field(default=None, description="OAuth 2.0 client id (for PKCE)")
    client_secret: SecretStr | None = None
    consumer_secret: SecretStr | None = Field(
        default=None, description="App consumer secret: signs Account Activity webhooks (CRC)")
    listening_query: str | None = Field(
        default=None, description="Recent-search query for listening, e.g. 'ブックス OR bookshop -is:retweet'")
    poll_dms: bool = True
