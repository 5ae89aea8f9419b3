"""Facebook Page calls go through the shared Graph API client."""

from henshin.connectors.meta.graph import GRAPH_BASE_URL, GraphClient

FacebookClient = GraphClient

__all__ = ["GRAPH_BASE_URL", "FacebookClient"]
