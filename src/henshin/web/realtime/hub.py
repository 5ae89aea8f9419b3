"""The per-process hub: bus events and presence in, per-workspace SSE queues out."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from typing import Any

from fastapi import FastAPI

from henshin.db.session import Database
from henshin.events.bus import Event, subscribe
from henshin.events.names import EventName
from henshin.web.realtime.pgnotify import PgNotifier, conninfo_of
from henshin.web.realtime.presence import PresenceBoard

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000
SWEEP_SECONDS = 1.0
FORWARDED = (
    EventName.TICKET_CREATED,
    EventName.TICKET_UPDATED,
    EventName.MESSAGE_RECEIVED,
    EventName.REPLY_CREATED,
    EventName.OUTBOUND_CHANGED,
)
# Hubs alive in this process; the one bus listener forwards to each of them.
_hubs: list[LiveHub] = []
_publishers: list[PgNotifier] = []


def message_of(event: Event) -> dict[str, Any]:
    """The small, JSON-safe form of a committed event that browsers receive."""
    change = event.payload.get("change")
    data: dict[str, Any] = {
        "type": "ticket",
        "event": str(event.name),
        "workspace_id": event.workspace_id,
        "ticket_id": event.ticket_id,
        "change": change if isinstance(change, str) else None,
        "actor": {"type": event.actor.type.value, "id": event.actor.id, "name": event.actor.name},
    }
    tags = event.payload.get("tags")
    if isinstance(tags, list):
        data["tags"] = [str(t) for t in tags[:20]]
    return data


def forward_event(event: Event) -> None:
    """Bus listener: hand a committed ticket event to this process's hubs (or to NOTIFY)."""
    if event.ticket_id is None:
        return
    message = message_of(event)
    if _hubs:  # a server process: its hub NOTIFies (PostgreSQL) or delivers locally
        for hub in _hubs:
            hub.publish(message)
        return
    for publisher in _publishers:  # a worker process on PostgreSQL
        publisher.send(message)


def subscribe_forwarder() -> None:
    """Subscribe ``forward_event`` to the ticket events (idempotent)."""
    for name in FORWARDED:
        subscribe(name, forward_event)


def start_worker_publisher(database: Database) -> None:
    """In a worker process on PostgreSQL: NOTIFY servers of the changes the worker makes."""
    if database.engine.dialect.name != "postgresql":
        return
    if not any(p.conninfo == conninfo_of(database.engine) for p in _publishers):
        _publishers.append(PgNotifier(conninfo_of(database.engine), None))
    subscribe_forwarder()


class LiveHub:
    """Fans messages out to the open streams of each workspace; tracks presence."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.presence = PresenceBoard()
        self.streams: dict[int, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.notifier: PgNotifier | None = None
        if database.engine.dialect.name == "postgresql":
            self.notifier = PgNotifier(conninfo_of(database.engine), self.receive)
        self._sweeper: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Bind to the running event loop; start LISTEN (PostgreSQL) and the presence sweeper."""
        self.loop = asyncio.get_running_loop()
        if self.notifier is not None:
            self.notifier.start()
        self._sweeper = self.loop.create_task(self._sweep_forever())
        _hubs.append(self)

    def stop(self) -> None:
        if self in _hubs:
            _hubs.remove(self)
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self.notifier is not None:
            self.notifier.stop()
        for queues in self.streams.values():
            for queue in queues:
                queue.put_nowait({"type": "bye"})

    # -- in ----------------------------------------------------------------------------

    def publish(self, message: dict[str, Any]) -> None:
        """Send a message to every process's streams (via NOTIFY on PostgreSQL)."""
        if self.notifier is not None:
            self.notifier.send(message)
        else:
            self.receive(message)

    def heartbeat(self, workspace_id: int, ticket_id: int, user_id: int, name: str, state: str) -> None:
        """A browser says it views / types on / left a ticket."""
        self.publish({
            "type": "heartbeat", "workspace_id": workspace_id, "ticket_id": ticket_id,
            "user_id": user_id, "name": name, "state": state, "at": time.time(),
        })

    def receive(self, message: dict[str, Any]) -> None:
        """A message for this process (any thread): apply it and fan it out on the loop."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._apply, message)

    # -- out ---------------------------------------------------------------------------

    def _apply(self, message: dict[str, Any]) -> None:
        workspace_id = message.get("workspace_id")
        if not isinstance(workspace_id, int):
            return
        if message.get("type") == "heartbeat":
            ticket_id = int(message["ticket_id"])
            self.presence.apply(
                workspace_id, ticket_id, int(message["user_id"]), str(message.get("name", "")),
                str(message.get("state", "viewing")), float(message.get("at", time.time())),
            )
            self._fan_out(workspace_id, self.presence_message(workspace_id, ticket_id))
            return
        self._fan_out(workspace_id, message)

    def presence_message(self, workspace_id: int, ticket_id: int) -> dict[str, Any]:
        return {
            "type": "presence", "workspace_id": workspace_id, "ticket_id": ticket_id,
            "viewers": self.presence.snapshot(workspace_id, ticket_id, time.time()),
        }

    def _fan_out(self, workspace_id: int, message: dict[str, Any]) -> None:
        for queue in list(self.streams.get(workspace_id, ())):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:  # a stuck browser: it reloads the list on reconnect
                log.warning("live stream queue full; dropping a message")

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            for workspace_id, ticket_id in self.presence.sweep(time.time()):
                self._fan_out(workspace_id, self.presence_message(workspace_id, ticket_id))

    def open_stream(self, workspace_id: int) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.streams[workspace_id].add(queue)
        return queue

    def close_stream(self, workspace_id: int, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self.streams[workspace_id].discard(queue)
        if not self.streams[workspace_id]:
            self.streams.pop(workspace_id, None)


def hub_of(app: FastAPI) -> LiveHub:
    """The app's hub (created at startup by ``henshin.wiring.wire``)."""
    hub: LiveHub | None = getattr(app.state, "live_hub", None)
    if hub is None:
        hub = LiveHub(app.state.database)
        app.state.live_hub = hub
    return hub
