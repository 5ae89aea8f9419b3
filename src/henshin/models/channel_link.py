"""OAuth grants in flight and alerts about channels (e.g. "reconnect: token expired")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from henshin.db.base import Base
from henshin.kit.time import utc_now


class OAuthGrant(Base):
    """One authorization-code flow an admin started: single-use, short-lived."""

    __tablename__ = "oauth_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the ``state`` sent to the network: the state itself is never stored.
    state_digest: Mapped[str] = mapped_column(String(64), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    network: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), default=None
    )  # set when reconnecting an existing channel
    name: Mapped[str] = mapped_column(String(200), default="")
    redirect_uri: Mapped[str] = mapped_column(String(2048))
    # Fernet token of {"config": …, "code_verifier": …}: app secrets and the PKCE verifier.
    secrets_encrypted: Mapped[str] = mapped_column(Text)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class ChannelAlert(Base):
    """Something an admin must act on (auth expired → reconnect); shown until resolved."""

    __tablename__ = "channel_alerts"
    __table_args__ = (Index("ix_channel_alerts_ws", "workspace_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # disconnected, error, degraded
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
