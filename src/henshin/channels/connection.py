"""From a stored channel to a live connector: decrypt, validate, point at the right API.

Credentials are the connector's ``config_model`` (secrets included), stored as one
Fernet token. ``settings["base_url"]`` points a channel at the sandbox instead of the
real network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from henshin.connectors import registry
from henshin.connectors.base import Capability, Connector
from henshin.kit.errors import InvalidInput
from henshin.kit.secrets import secret_box
from henshin.models import Channel

ConnectorFactory = Callable[..., Connector]


def connector_class(network: str) -> type[Connector]:
    """The registered connector for ``network``, or ``InvalidInput`` naming the known ones."""
    try:
        return registry.get(network)
    except (KeyError, ValueError) as exc:
        known = ", ".join(sorted(c.network.value for c in registry.all()))
        raise InvalidInput(f"henshin has no connector for {network!r} yet; connectable: {known}") from exc


def validate_config(network: str, credentials: dict[str, Any]) -> BaseModel:
    """``credentials`` checked against the connector's ``config_model``; 422 lists what is wrong."""
    model = connector_class(network).config_model
    try:
        return model.model_validate(credentials)
    except ValidationError as exc:
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise InvalidInput(f"{network} credentials are not valid: {summary}", details=problems) from exc


def reveal(config: BaseModel) -> dict[str, Any]:
    """The config as plain JSON, secrets included (only for encrypting at rest)."""
    out: dict[str, Any] = {}
    for name, value in config:
        out[name] = value.get_secret_value() if isinstance(value, SecretStr) else value
    return _jsonable(out)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.model_dump(mode="json") if isinstance(v, BaseModel) else v) for k, v in data.items()}


def public_config(channel: Channel) -> dict[str, Any]:
    """The channel's settings safe to show an admin: secrets replaced by whether they are set."""
    stored = stored_credentials(channel)
    try:
        model = connector_class(channel.network).config_model
    except InvalidInput:
        return {}
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        value = stored.get(name)
        secret = "SecretStr" in str(field.annotation)
        out[name] = ("set" if value else None) if secret else value
    return out


def stored_credentials(channel: Channel) -> dict[str, Any]:
    """The decrypted credentials (only connectors and the workers should ask)."""
    if not channel.credentials_encrypted:
        return {}
    return secret_box().decrypt_json(channel.credentials_encrypted)


def open_connector(channel: Channel, *, http: httpx.AsyncClient | None = None) -> Connector:
    """A connector bound to ``channel``'s credentials; ``InvalidInput`` if they no longer validate."""
    cls = connector_class(channel.network)
    config = validate_config(channel.network, stored_credentials(channel))
    base_url = (channel.settings or {}).get("base_url") or None
    return cls(config, base_url=base_url, http=http)


class _NoHttp:
    """Stands in for an HTTP client where a connector is only asked pure questions
    (verify a signature, parse a delivery): building a real client per request is slow."""

    async def aclose(self) -> None:
        return None


NO_HTTP: Any = _NoHttp()


def offline_connector(channel: Channel) -> Connector:
    """A connector for pure work only (webhook challenge, signature, parsing): no HTTP client."""
    return open_connector(channel, http=NO_HTTP)


def pollable_networks() -> list[str]:
    """Networks whose connector can be polled."""
    return [c.network.value for c in registry.all() if Capability.POLL in c.capabilities]


def config_schema(network: str) -> dict[str, Any]:
    """The connect form for ``network``: its config model as JSON Schema (secrets as passwords)."""
    cls = connector_class(network)
    schema = cls.config_model.model_json_schema()
    for prop in schema.get("properties", {}).values():
        if prop.get("format") == "password" or prop.get("writeOnly"):
            prop["format"] = "password"
    return {"network": cls.network.value, "capabilities": sorted(c.value for c in cls.capabilities),
            "oauth": Capability.OAUTH in cls.capabilities or hasattr(cls, "oauth_dialog_url"),
            "text_limits": cls.text_limits.model_dump(), "schema": schema}
