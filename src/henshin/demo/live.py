"""The demo's networks: the sandbox connected as one channel per network, and a live
stream — some engagements pushed as signed webhooks into henshin's own endpoint, others
published on the fake networks for the pollers to find."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime

import httpx

from henshin.channels.actions import do_update_channel
from henshin.channels.queries import channel_to_change
from henshin.db.session import Database
from henshin.demo.sandbox_channels import (
    NETWORKS,
    instagram_comment_event,
    line_message_event,
    meta_message_event,
    sandbox_connection,
    x_mention_event,
)
from henshin.events.bus import Actor
from henshin.sandbox.pusher import signed_delivery
from henshin.sandbox.server import RunningSandbox
from henshin.sandbox.stream import LINES, NAMES, set_feed

log = logging.getLogger(__name__)
Send = Callable[[str, bytes, dict[str, str]], int]


def connect_demo_channels(database: Database, sandbox: RunningSandbox, workspace_id: int,
                          channel_ids: dict[str, int], *, poll_interval_seconds: float = 3) -> None:
    """Point the demo workspace's channels at this run's sandbox (its port changes per run)."""
    with database.unit_of_work() as db:
        for network in NETWORKS:
            credentials, settings = sandbox_connection(sandbox, network, poll_interval_seconds=poll_interval_seconds)
            channel = channel_to_change(db, workspace_id, channel_ids[network])
            do_update_channel(db, channel, actor=Actor.system("demo"), credentials=credentials, settings=settings)


def http_sender(base_url: str) -> Send:
    """POST deliveries to henshin's webhook endpoint at ``base_url``."""
    client = httpx.Client(base_url=base_url, timeout=10)

    def send(path: str, body: bytes, headers: dict[str, str]) -> int:
        return client.post(path, content=body, headers=headers).status_code
    return send


class LiveStream:
    """One new engagement per ``step``, on a network chosen at random."""

    def __init__(self, sandbox: RunningSandbox, channel_ids: dict[str, int], send: Send, *, seed: int = 2026) -> None:
        self.sandbox, self.channel_ids, self.send = sandbox, channel_ids, send
        self.rng = random.Random(seed)
        self.feed_entries: list[tuple[str, str]] = []

    def _text(self) -> str:
        topic = self.rng.choice(list(LINES))
        return self.rng.choice(LINES[topic])

    def _push(self, network: str, signer: str, payload: dict[str, object], path: str | None = None) -> int:
        body, headers = signed_delivery(self.sandbox.state, signer, payload)
        return self.send(path or f"/webhooks/{network}/{self.channel_ids[network]}", body, headers)

    def step(self, now: datetime) -> str:
        """Publish one engagement; returns the network it went to."""
        network = self.rng.choice(NETWORKS)
        text = self._text()
        handle, name = self.rng.choice(NAMES)
        if network == "x":
            uid = str(2000000000 + NAMES.index((handle, name)))
            self._push("x", "x", x_mention_event(self.sandbox, text, at=now, user_id=uid, handle=handle, name=name))
        elif network == "instagram":
            self._push("instagram", "meta", instagram_comment_event(self.sandbox, text, username=handle))
        elif network == "facebook":
            sender = str(7000000 + self.rng.randint(1, 30))
            self._push("facebook", "meta", meta_message_event(self.sandbox, "facebook", text, at=now, sender=sender))
        elif network == "line":
            user = self.rng.choice(list(self.sandbox.state.line_profiles) or ["U4af4980629"])
            self._push("line", "line", line_message_event(self.sandbox, text, at=now, user_id=user))
        else:  # a blog post naming the brand appears in the alerts feed; the poller finds it
            self.feed_entries.append((f"https://blog.example.jp/live/{len(self.feed_entries)}", text))
            set_feed(self.sandbox.state, "alerts", self.feed_entries[-20:], now=now)
        return network
