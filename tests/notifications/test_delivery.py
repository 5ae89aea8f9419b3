"""Notifications from rules reach a local HTTP receiver and a local SMTP server, signed, retried."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from henshin.kit.time import utc_now
from henshin.notifications.delivery import Mailer, deliver_due_notifications
from tests.support.factories import engagement, ingest


class Receiver:
    """A local HTTP endpoint recording each POST; answers the queued status codes first."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_rule_notifications_are_delivered_signed_and_by_email(client, tenant, database, receiver, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    rule = {"name": "炎上アラート", "conditions": {"all": [{"field": "text", "op": "contains_any", "value": ["炎上"]}]},
            "actions": [
                {"type": "notify_slack", "webhook_url": f"{receiver.url}/slack", "text": "炎上の恐れ"},
                {"type": "notify_webhook", "url": f"{receiver.url}/hook", "secret": "s3cret-key"},
                {"type": "notify_email", "to": ["lead@example.jp"], "subject": "炎上の恐れ", "text": "確認してください"},
            ]}
    assert client.post("/api/v1/rules", json=rule, headers=tenant.headers()).status_code == 201
    [item] = ingest(client, tenant, [engagement(text="これは炎上しそう")])

    assert deliver_due_notifications(database, mailer=Mailer(host="127.0.0.1", port=port)) == 3
    by_path = {json.loads(body).get("event", "slack"): (headers, body) for headers, body in receiver.requests}
    slack_headers, slack_body = by_path["slack"]
    assert "炎上の恐れ" in json.loads(slack_body)["text"]
    headers, body = by_path["rule.fired"]
    expected = "sha256=" + hmac.new(b"s3cret-key", headers["x-henshin-timestamp"].encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    assert headers["x-henshin-signature"] == expected
    assert json.loads(body)["ticket"]["id"] == item["ticket_id"]
    [mail] = inbox.messages
    assert mail.rcpt_tos == ["lead@example.jp"]
    assert "確認してください" in mail.content.decode("utf-8", "replace") or mail.content

    assert deliver_due_notifications(database, mailer=Mailer(host="127.0.0.1", port=port)) == 0  # never twice


def test_a_failing_receiver_is_retried_with_the_same_idempotency_key(client, tenant, database, receiver) -> None:  # type: ignore[no-untyped-def]
    receiver.statuses = [503]
    rule = {"name": "hook", "actions": [{"type": "notify_webhook", "url": receiver.url, "secret": "another-secret"}]}
    client.post("/api/v1/rules", json=rule, headers=tenant.headers())
    ingest(client, tenant, [engagement(text="hello")])
    assert deliver_due_notifications(database) == 1
    assert deliver_due_notifications(database) == 0  # backing off
    assert deliver_due_notifications(database, now=utc_now() + timedelta(minutes=5)) == 1
    assert len(receiver.requests) == 2
    assert receiver.requests[0][0]["idempotency-key"] == receiver.requests[1][0]["idempotency-key"]
    assert deliver_due_notifications(database, now=utc_now() + timedelta(hours=1)) == 0
