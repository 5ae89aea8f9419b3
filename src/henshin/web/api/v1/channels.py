"""Channels: connect (credentials validated and stored encrypted), OAuth, health, alerts,
webhook deliveries, pause / resume / reconnect."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from henshin.channels import actions as ch_actions
from henshin.channels import oauth
from henshin.channels import queries as ch_queries
from henshin.channels.connection import config_schema
from henshin.channels.schemas import (
    AlertOut,
    ChannelIn,
    ChannelOut,
    ChannelUpdate,
    DeliveryOut,
    OAuthStartIn,
    OAuthStartOut,
)
from henshin.connectors import registry
from henshin.models.workspace import Role
from henshin.web.deps import CurrentCaller, DbSession, get_database

router = APIRouter(prefix="/channels", tags=["channels"])



@router.get("", response_model=list[ChannelOut])
def list_channels(caller: CurrentCaller, db: DbSession) -> list[ChannelOut]:
    """Every channel of the workspace with its health."""
    return ch_queries.workspace_channels(db, caller.workspace_id)


@router.get("/networks")
def list_networks(caller: CurrentCaller) -> list[dict[str, Any]]:
    """What can be connected: each network's connect form (JSON Schema), capabilities, limits."""
    return [config_schema(c.network.value) for c in registry.all()]


@router.get("/alerts", response_model=list[AlertOut])
def list_alerts(caller: CurrentCaller, db: DbSession) -> list[AlertOut]:
    """Open alerts (e.g. a channel disconnected because its token expired)."""
    return ch_queries.workspace_alerts(db, caller.workspace_id)


@router.post("", response_model=ChannelOut, status_code=201)
def create_channel(body: ChannelIn, caller: CurrentCaller, db: DbSession) -> ChannelOut:
    """Connect a channel. Networks with a connector validate ``credentials`` against its
    config (422 names each wrong field); ``api`` channels take none."""
    caller.require(Role.ADMIN)
    if body.network == "api":
        channel = ch_actions.do_create_channel(
            db, workspace_id=caller.workspace_id, network=body.network, name=body.name, handle=body.handle,
            external_account_id=body.external_account_id, settings=ch_actions.check_settings(body.settings))
    else:
        channel = ch_actions.do_connect_channel(
            db, workspace_id=caller.workspace_id, network=body.network, name=body.name,
            credentials=body.credentials, settings=body.settings, actor=caller.actor)
    db.commit()
    return ch_queries.workspace_channel(db, caller.workspace_id, channel.id)


@router.get("/oauth/callback", include_in_schema=False)
async def oauth_callback(request: Request, state: str = "", code: str = "", error: str = "",
                         error_description: str = "") -> Response:
    """Where the network sends the admin back: exchange the code, store the credentials."""
    channel = await oauth.finish(get_database(request), state=state, code=code,
                                 error=error_description or error)
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(f"/channels?connected={channel.id}", status_code=303)
    return JSONResponse({"channel_id": channel.id, "network": channel.network, "status": channel.status})


@router.post("/oauth/start", response_model=OAuthStartOut)
def oauth_start(body: OAuthStartIn, request: Request, caller: CurrentCaller, db: DbSession) -> OAuthStartOut:
    """Start the authorization-code flow: returns the network's authorize URL (state, PKCE)."""
    caller.require(Role.ADMIN)
    redirect_uri = body.redirect_uri or str(request.url_for("oauth_callback"))
    started = oauth.do_start(db, workspace_id=caller.workspace_id, user_id=caller.user_id, body=body,
                             redirect_uri=redirect_uri)
    db.commit()
    return started


@router.get("/{channel_id}", response_model=ChannelOut)
def get_channel(channel_id: int, caller: CurrentCaller, db: DbSession) -> ChannelOut:
    return ch_queries.workspace_channel(db, caller.workspace_id, channel_id)


@router.patch("/{channel_id}", response_model=ChannelOut)
def update_channel(channel_id: int, body: ChannelUpdate, caller: CurrentCaller, db: DbSession) -> ChannelOut:
    """Rename, change settings, or reconnect with new credentials (reactivates the channel)."""
    caller.require(Role.ADMIN)
    channel = ch_queries.channel_to_change(db, caller.workspace_id, channel_id)
    ch_actions.do_update_channel(db, channel, actor=caller.actor, name=body.name,
                                 credentials=body.credentials, settings=body.settings)
    db.commit()
    return ch_queries.workspace_channel(db, caller.workspace_id, channel_id)


def _pause(channel_id: int, caller: CurrentCaller, db: DbSession, paused: bool) -> ChannelOut:
    caller.require(Role.ADMIN)
    channel = ch_queries.channel_to_change(db, caller.workspace_id, channel_id)
    ch_actions.do_set_paused(db, channel, paused=paused, actor=caller.actor)
    db.commit()
    return ch_queries.workspace_channel(db, caller.workspace_id, channel_id)


@router.post("/{channel_id}/pause", response_model=ChannelOut)
def pause_channel(channel_id: int, caller: CurrentCaller, db: DbSession) -> ChannelOut:
    return _pause(channel_id, caller, db, True)


@router.post("/{channel_id}/resume", response_model=ChannelOut)
def resume_channel(channel_id: int, caller: CurrentCaller, db: DbSession) -> ChannelOut:
    return _pause(channel_id, caller, db, False)


@router.get("/{channel_id}/deliveries", response_model=list[DeliveryOut])
def list_deliveries(channel_id: int, caller: CurrentCaller, db: DbSession,
                    status: str | None = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[DeliveryOut]:
    """Webhook deliveries of a channel, newest first (``status=failed`` for the malformed)."""
    caller.require(Role.SUPERVISOR)
    return ch_queries.channel_deliveries(db, caller.workspace_id, channel_id, status=status, limit=limit)
