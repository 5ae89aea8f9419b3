"""Writes to channels: connect (credentials encrypted at rest), health updates."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from henshin.connectors.types import Network
from henshin.kit.errors import InvalidInput
from henshin.kit.secrets import secret_box
from henshin.models import Channel


def check_network(network: str) -> str:
    try:
        return Network(network).value
    except ValueError as exc:
        known = ", ".join(n.value for n in Network)
        raise InvalidInput(f"unknown network {network!r}; known: {known}") from exc


def do_create_channel(
    db: Session,
    *,
    workspace_id: int,
    network: str,
    name: str,
    external_account_id: str | None = None,
    handle: str | None = None,
    credentials: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
) -> Channel:
    channel = Channel(
        workspace_id=workspace_id,
        network=check_network(network),
        name=name.strip() or network,
        external_account_id=external_account_id,
        handle=handle,
        credentials_encrypted=secret_box().encrypt_json(credentials) if credentials else None,
        settings=settings or {},
    )
    db.add(channel)
    db.flush()
    return channel


def channel_credentials(channel: Channel) -> dict[str, Any]:
    """The decrypted credentials (only connectors and the worker should ask)."""
    if not channel.credentials_encrypted:
        return {}
    return secret_box().decrypt_json(channel.credentials_encrypted)


def do_set_credentials(db: Session, channel: Channel, credentials: dict[str, Any]) -> None:
    channel.credentials_encrypted = secret_box().encrypt_json(credentials)
