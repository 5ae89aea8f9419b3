"""The selects the importers need: channels by name, outbound replies by external id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from henshin.models import Channel, OutboundMessage


def channels_by_name(db: Session, workspace_id: int, network: str) -> dict[str, Channel]:
    rows = db.scalars(select(Channel).where(Channel.workspace_id == workspace_id, Channel.network == network))
    return {c.name: c for c in rows}


def outbound_by_external_ids(db: Session, channel_id: int, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    return set(db.scalars(select(OutboundMessage.external_id).where(
        OutboundMessage.channel_id == channel_id, OutboundMessage.external_id.in_(ids))))
