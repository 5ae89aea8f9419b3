"""The Channels admin page: every connected network account with its health, alerts for
disconnected ones, connect forms rendered from each connector's config JSON Schema, the
OAuth buttons (X, Meta), pause / resume and reconnect.

Writes go through the JSON API (``/api/v1/channels…``) from the page's script, so the
page and the API cannot disagree; secrets are never rendered back (only "set").
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from henshin.channels import queries as ch_queries
from henshin.channels.connection import config_schema
from henshin.connectors import registry
from henshin.models.workspace import Role
from henshin.web.deps import DbSession
from henshin.web.ui.rendering import PageCaller, render

router = APIRouter(include_in_schema=False)
OAUTH_NETWORKS = {"x": "x", "facebook": "meta", "instagram": "meta"}
# Fields the OAuth flow fills in itself: the reconnect form does not ask for them.
HIDDEN_WHEN_OAUTH = {"refresh_token", "user_id", "username", "page_id", "page_name", "ig_user_id"}


def _field(name: str, prop: dict[str, Any], required: bool) -> dict[str, Any]:
    kinds = {prop.get("type")} | {p.get("type") for p in prop.get("anyOf", [])}
    secret = prop.get("format") == "password" or "password" in {p.get("format") for p in prop.get("anyOf", [])}
    kind = "password" if secret else "checkbox" if "boolean" in kinds else \
        "number" if kinds & {"integer", "number"} else "text"
    return {"name": name, "label": prop.get("title") or name.replace("_", " "), "kind": kind,
            "required": required, "help": prop.get("description") or "", "default": prop.get("default"),
            "minimum": prop.get("minimum"), "maximum": prop.get("maximum")}


def connect_forms() -> list[dict[str, Any]]:
    """One form per connectable network, its fields from the connector's JSON Schema."""
    forms = []
    for cls in sorted(registry.all(), key=lambda c: c.network.value):
        info = config_schema(cls.network.value)
        schema = info["schema"]
        required = set(schema.get("required", []))
        fields = [_field(name, prop, name in required) for name, prop in schema.get("properties", {}).items()]
        forms.append({"network": info["network"], "fields": fields, "oauth": info["oauth"],
                      "capabilities": info["capabilities"]})
    return forms


@router.get("/channels", response_class=HTMLResponse)
def channels_page(request: Request, caller: PageCaller, db: DbSession) -> HTMLResponse:
    """Channels with their health, alerts, and (for admins) connect / pause / reconnect."""
    channels = ch_queries.workspace_channels(db, caller.workspace_id)
    alerts = ch_queries.workspace_alerts(db, caller.workspace_id)
    forms = connect_forms()
    return render(request, "channels/index.html", {
        "channels": channels, "alerts": alerts, "forms": forms,
        "forms_by_network": {f["network"]: f for f in forms},
        "names": {c.id: c.name for c in channels},
        "is_admin": caller.role is Role.ADMIN, "oauth_networks": OAUTH_NETWORKS,
        "hidden_when_oauth": HIDDEN_WHEN_OAUTH,
        "connected": request.query_params.get("connected"),
    }, caller=caller)
