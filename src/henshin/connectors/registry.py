"""The one list of connectors. Adding a network = one folder + one line in ``_builtin``."""

from __future__ import annotations

from henshin.connectors.base import Connector
from henshin.connectors.types import Network

_connectors: dict[Network, type[Connector]] = {}


def register(connector_cls: type[Connector]) -> type[Connector]:
    """Register a connector class under its ``network`` (usable as a class decorator)."""
    existing = _connectors.get(connector_cls.network)
    if existing is not None and existing is not connector_cls:
        raise ValueError(f"a connector for {connector_cls.network.value} is already registered")
    _connectors[connector_cls.network] = connector_cls
    return connector_cls


def _builtin() -> None:
    from henshin.connectors.facebook.connector import FacebookConnector
    from henshin.connectors.instagram.connector import InstagramConnector
    from henshin.connectors.line.connector import LineConnector
    from henshin.connectors.rss.connector import RssConnector
    from henshin.connectors.x.connector import XConnector

    for cls in (XConnector, InstagramConnector, FacebookConnector, LineConnector, RssConnector):
        register(cls)


def get(network: Network | str) -> type[Connector]:
    """The connector class for ``network``; ``KeyError`` with the known names if none."""
    if not _connectors:
        _builtin()
    key = Network(network)
    try:
        return _connectors[key]
    except KeyError:
        known = ", ".join(sorted(n.value for n in _connectors))
        raise KeyError(f"no connector for {key.value}; registered: {known}") from None


def all() -> list[type[Connector]]:  # noqa: A001 - the brief names it all()
    """Every registered connector class, in registration order."""
    if not _connectors:
        _builtin()
    return list(_connectors.values())
