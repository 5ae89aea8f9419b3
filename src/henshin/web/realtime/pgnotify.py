"""PostgreSQL LISTEN/NOTIFY transport: one listener thread and one sender per process."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import Engine

log = logging.getLogger(__name__)

CHANNEL = "henshin_live"
MAX_PAYLOAD = 7900  # PostgreSQL refuses NOTIFY payloads from 8000 bytes


def conninfo_of(engine: Engine) -> str:
    """A libpq connection string for the engine's database (psycopg, not SQLAlchemy, URL)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class PgNotifier:
    """Sends messages with ``pg_notify`` and hands every received one to ``on_message``."""

    def __init__(self, conninfo: str, on_message: Callable[[dict[str, Any]], None] | None) -> None:
        self.conninfo = conninfo
        self.on_message = on_message
        self._send_lock = threading.Lock()
        self._sender: psycopg.Connection[Any] | None = None
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start LISTENing in a daemon thread (returns once the LISTEN is in place)."""
        if self.on_message is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._listen, name="henshin-live-listen", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=30)  # events before LISTEN is in place would be missed

    def stop(self) -> None:
        """Stop listening (the thread notices within half a second; not waited for)."""
        self._stop.set()
        with self._send_lock:
            if self._sender is not None:
                self._sender.close()
                self._sender = None

    def send(self, message: dict[str, Any]) -> None:
        """NOTIFY every process (this one included); reconnects once if the link dropped."""
        payload = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        if len(payload.encode()) > MAX_PAYLOAD:
            log.warning("live message too large for NOTIFY; dropped %s", message.get("type"))
            return
        with self._send_lock:
            for attempt in (1, 2):
                try:
                    if self._sender is None or self._sender.closed:
                        self._sender = psycopg.connect(self.conninfo, autocommit=True)
                    self._sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                    return
                except psycopg.Error:
                    self._sender = None
                    if attempt == 2:
                        log.exception("could not NOTIFY a live update")

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._deliver(note.payload)
            except psycopg.Error:
                if self._stop.is_set():
                    return
                log.warning("live LISTEN connection lost; reconnecting", exc_info=True)
                self._stop.wait(1.0)

    def _deliver(self, payload: str) -> None:
        try:
            message = json.loads(payload)
        except json.JSONDecodeError:
            return
        if self.on_message is not None and isinstance(message, dict):
            try:
                self.on_message(message)
            except Exception:  # a bad message must not kill the listener
                log.exception("live message handler failed")
