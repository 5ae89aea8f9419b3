"""Every select() over channels."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from henshin.kit.errors import NotFound
from henshin.models import Channel


def get_channel(db: Session, workspace_id: int, channel_id: int) -> Channel:
    channel = db.scalar(
        select(Channel).where(Channel.workspace_id == workspace_id, Channel.id == channel_id)
    )
    if channel is None:
        raise NotFound(f"channel {channel_id} not found in this workspace")
    return channel


def channels_of_workspace(db: Session, workspace_id: int) -> Sequence[Channel]:
    return db.scalars(
        select(Channel).where(Channel.workspace_id == workspace_id).order_by(Channel.id)
    ).all()


def all_active_channels(db: Session) -> Sequence[Channel]:
    return db.scalars(select(Channel).where(Channel.status == "active").order_by(Channel.id)).all()


def channel_by_id(db: Session, channel_id: int) -> Channel | None:
    return db.get(Channel, channel_id)
