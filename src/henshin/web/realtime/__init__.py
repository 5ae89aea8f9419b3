"""Live updates: committed ticket changes and presence, streamed to browsers as SSE.

``LiveHub`` (one per server process) fans messages out to the open streams of a
workspace. On SQLite a message goes straight to the local hub; on PostgreSQL every
message is a ``NOTIFY henshin_live`` and every process (servers and workers) LISTENs,
so an agent on server A sees a change made on server B.
"""

from henshin.web.realtime.hub import LiveHub, hub_of

__all__ = ["LiveHub", "hub_of"]
