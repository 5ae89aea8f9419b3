"""The OAuth authorization-code flow for connecting a channel.

``do_start`` stores a single-use grant (only the SHA-256 of ``state`` is kept; the app
credentials and the PKCE verifier are encrypted) and returns the network's authorize
URL. ``finish`` — the callback — takes the grant exactly once, exchanges the code through
the connector, and stores the credentials on a new channel (or the one being reconnected).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from henshin.channels import repository as repo
from henshin.channels.actions import check_settings, do_connect_channel, do_update_channel
from henshin.channels.connection import NO_HTTP, connector_class, stored_credentials
from henshin.channels.schemas import OAuthStartIn, OAuthStartOut
from henshin.connectors.base import Capability, Connector
from henshin.connectors.errors import ConnectorError
from henshin.db.session import Database
from henshin.events.bus import Actor
from henshin.kit.errors import InvalidInput
from henshin.kit.secrets import secret_box, token_digest
from henshin.kit.time import as_utc, utc_now
from henshin.models import Channel, OAuthGrant

GRANT_TTL = timedelta(minutes=10)


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _placeholder_config(cls: type[Connector], given: dict[str, Any]) -> BaseModel:
    """The app's config before the flow: required account fields the flow will fill are
    placeholders, so the connector can be built to produce URLs."""
    data = dict(given)
    for name, field in cls.config_model.model_fields.items():
        if field.is_required() and name not in data:
            data[name] = "pending"
    try:
        return cls.config_model.model_validate(data)
    except ValueError as exc:
        raise InvalidInput(f"{cls.network.value} OAuth settings are not valid: {exc}") from exc


def _oauth_connector(network: str, config: dict[str, Any], settings: dict[str, Any],
                     http: Any = None) -> Connector:
    cls = connector_class(network)
    if Capability.OAUTH not in cls.capabilities:
        raise InvalidInput(f"{network} is connected with credentials, not OAuth")
    return cls(_placeholder_config(cls, config), base_url=settings.get("base_url") or None, http=http)


def do_start(db: Any, *, workspace_id: int, user_id: int, body: OAuthStartIn, redirect_uri: str) -> OAuthStartOut:
    """Record a single-use grant and build the authorize URL (with PKCE where the network wants it)."""
    settings = check_settings(body.settings)
    config = dict(body.config)
    if body.channel_id is not None:
        channel = repo.get_channel(db, workspace_id, body.channel_id)
        if channel.network != body.network:
            raise InvalidInput(f"channel {channel.id} is a {channel.network} channel, not {body.network}")
        config = {**stored_credentials(channel), **config}
        settings = {**(channel.settings or {}), **settings}
    connector = _oauth_connector(body.network, config, settings, http=NO_HTTP)
    state = secrets.token_urlsafe(32)
    verifier, challenge = _pkce()
    try:
        url = connector.authorize_url(state, redirect_uri, code_challenge=challenge)
    except ConnectorError as exc:
        raise InvalidInput(str(exc)) from exc
    now = utc_now()
    grant = OAuthGrant(
        state_digest=token_digest(state), workspace_id=workspace_id, user_id=user_id, network=body.network,
        channel_id=body.channel_id, name=body.name or f"{body.network} (OAuth)", redirect_uri=redirect_uri,
        secrets_encrypted=secret_box().encrypt_json({"config": config, "code_verifier": verifier}),
        settings=settings, created_at=now, expires_at=now + GRANT_TTL,
    )
    db.add(grant)
    db.flush()
    return OAuthStartOut(authorize_url=url, state=state, expires_at=grant.expires_at)


def _take_grant(database: Database, state: str) -> tuple[OAuthGrant, dict[str, Any]]:
    """Mark the grant used (committed) before the code is exchanged: a replayed state fails."""
    if not state:
        raise InvalidInput("the callback has no state parameter")
    with database.unit_of_work() as db:
        grant = repo.grant_by_digest(db, token_digest(state))
        if grant is None:
            raise InvalidInput("unknown OAuth state; start connecting the channel again")
        if grant.used_at is not None:
            raise InvalidInput("this OAuth state was already used; start connecting the channel again")
        if as_utc(grant.expires_at) <= utc_now():
            raise InvalidInput("the OAuth state expired (10 minutes); start connecting the channel again")
        grant.used_at = utc_now()
        db.flush()
        return grant, secret_box().decrypt_json(grant.secrets_encrypted)


async def finish(database: Database, *, state: str, code: str, error: str = "") -> Channel:
    """Exchange the code for credentials and store them; returns the channel."""
    grant, sealed = await asyncio.to_thread(_take_grant, database, state)
    if error:
        raise InvalidInput(f"the network did not grant access: {error}")
    if not code:
        raise InvalidInput("the callback has no code parameter")
    connector = _oauth_connector(grant.network, sealed["config"], grant.settings or {})
    try:
        exchanged = await connector.exchange_code(code, grant.redirect_uri, code_verifier=sealed["code_verifier"])
    except ConnectorError as exc:
        raise InvalidInput(f"{grant.network} refused the authorization code: {exc.network_message}") from exc
    finally:
        await connector.aclose()
    credentials = {**sealed["config"], **{k: v for k, v in exchanged.items() if v is not None}}
    return await asyncio.to_thread(_store, database, grant, credentials)


def _store(database: Database, grant: OAuthGrant, credentials: dict[str, Any]) -> Channel:
    actor = Actor.user(grant.user_id) if grant.user_id else Actor.system("oauth")
    with database.unit_of_work() as db:
        if grant.channel_id is not None:
            channel = repo.get_channel(db, grant.workspace_id, grant.channel_id)
            do_update_channel(db, channel, actor=actor, credentials=credentials)
        else:
            channel = do_connect_channel(db, workspace_id=grant.workspace_id, network=grant.network,
                                         name=grant.name, credentials=credentials,
                                         settings=grant.settings or {}, actor=actor)
        db.flush()
        return channel
