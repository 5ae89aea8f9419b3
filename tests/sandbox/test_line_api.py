"""LINE against the sandbox Messaging API, on what LINE's docs fix about retrying a push."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from henshin.connectors.line.connector import LineConnector
from henshin.connectors.types import OutboundAction, OutboundKind
from henshin.sandbox.server import RunningSandbox, start_sandbox
from henshin.sandbox.state import SandboxState


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox(SandboxState())
    yield running
    running.stop()


def line(sb: RunningSandbox) -> LineConnector:
    return LineConnector({"channel_id": "1", "channel_secret": sb.state.line_channel_secret,
                          "channel_access_token": "line-token"}, base_url=sb.line_url)


def test_a_retried_push_names_the_message_the_first_attempt_sent(sandbox: RunningSandbox) -> None:
    # After a crash mid-send the worker pushes again with the same X-Line-Retry-Key: LINE
    # answers 409 with x-line-accepted-request-id and the sentMessages of the accepted request.
    stale = {"reply_token": "expired", "received_at": (datetime.now(UTC) - timedelta(minutes=3)).isoformat(),
             "to": "U4af4980629"}
    action = OutboundAction(kind=OutboundKind.DM, idempotency_key="ticket-9:reply-1", text="配送状況をお調べしました",
                            reply_context=stale)
    first = asyncio.run(line(sandbox).perform(action))
    again = asyncio.run(line(sandbox).perform(action))
    assert first.raw["sentMessages"][0]["quoteToken"]
    assert again.raw["already_accepted"] is True and again.external_id == first.external_id
    assert len(sandbox.state.sent("line", "push")) == 1


def test_the_409_answer_has_lines_documented_shape(sandbox: RunningSandbox) -> None:
    url, headers = f"{sandbox.line_url}/v2/bot/message/push", {
        "Authorization": "Bearer line-token", "X-Line-Retry-Key": "123e4567-e89b-12d3-a456-426614174000"}
    body = {"to": "U4af4980629", "messages": [{"type": "text", "text": "こんにちは"}]}
    accepted = httpx.post(url, json=body, headers=headers)
    repeated = httpx.post(url, json=body, headers=headers)
    assert accepted.status_code == 200 and repeated.status_code == 409
    assert repeated.headers["x-line-accepted-request-id"] == accepted.headers["x-line-request-id"]
    assert repeated.json() == {"message": "The retry key is already accepted",
                               "sentMessages": accepted.json()["sentMessages"]}
