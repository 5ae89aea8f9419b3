"""Channels: list, connect with credentials (stored encrypted), health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from henshin.channels import actions as ch_actions
from henshin.channels import repository as ch_repo
from henshin.models import Channel
from henshin.models.workspace import Role
from henshin.web.deps import CurrentCaller, DbSession

router = APIRouter(prefix="/channels", tags=["channels"])


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


def channel_out(c: Channel) -> ChannelOut:
    return ChannelOut(
        id=c.id, network=c.network, name=c.name, handle=c.handle,
        external_account_id=c.external_account_id, status=c.status,
        has_credentials=bool(c.credentials_encrypted), last_sync_at=c.last_sync_at,
        last_item_at=c.last_item_at, last_error=c.last_error, last_error_at=c.last_error_at,
        rate_limited_until=c.rate_limited_until,
    )


class ChannelIn(BaseModel):
    network: str
    name: str = Field(min_length=1, max_length=200)
    handle: str | None = None
    external_account_id: str | None = None
    credentials: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)


@router.get("", response_model=list[ChannelOut])
def list_channels(caller: CurrentCaller, db: DbSession) -> list[ChannelOut]:
    return [channel_out(c) for c in ch_repo.channels_of_workspace(db, caller.workspace_id)]


@router.post("", response_model=ChannelOut, status_code=201)
def create_channel(body: ChannelIn, caller: CurrentCaller, db: DbSession) -> ChannelOut:
    caller.require(Role.ADMIN)
    channel = ch_actions.do_create_channel(
        db, workspace_id=caller.workspace_id, network=body.network, name=body.name,
        handle=body.handle, external_account_id=body.external_account_id,
        credentials=body.credentials or None, settings=body.settings,
    )
    db.commit()
    return channel_out(channel)


@router.get("/{channel_id}", response_model=ChannelOut)
def get_channel(channel_id: int, caller: CurrentCaller, db: DbSession) -> ChannelOut:
    return channel_out(ch_repo.get_channel(db, caller.workspace_id, channel_id))
