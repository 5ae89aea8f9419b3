"""Correctly signed webhook deliveries, as X, Meta and LINE send them, POSTed to a target URL
(henshin's webhook endpoint in demo and tests), with duplicate and out-of-order modes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx

from henshin.connectors.signing import line_signature, meta_signature, x_signature
from henshin.sandbox.state import SandboxState


def signed_delivery(state: SandboxState, network: str, payload: dict[str, Any], *,
                    forge: bool = False) -> tuple[bytes, dict[str, str]]:
    """(body, headers) for ``payload`` signed the way ``network`` signs ("x", "meta", "line")."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    if network == "meta":
        _remember_customer_messages(state, payload)
    secret = {"x": state.x_consumer_secret, "meta": state.meta_app_secret, "line": state.line_channel_secret}[network]
    if forge:
        secret = "not-the-secret"  # noqa: S105 - a deliberately wrong key, to forge a signature
    headers = {"Content-Type": "application/json"}
    if network == "x":
        headers["x-twitter-webhooks-signature"] = x_signature(secret, body)
    elif network == "meta":
        headers["X-Hub-Signature-256"] = meta_signature(secret, body)
    else:
        headers["x-line-signature"] = line_signature(secret, body)
    return body, headers


def _remember_customer_messages(state: SandboxState, payload: dict[str, Any]) -> None:
    """The network knows when each person last wrote: it opens the 24-hour messaging window."""
    for entry in payload.get("entry") or []:
        for event in entry.get("messaging") or []:
            message = event.get("message") or {}
            if message and not message.get("is_echo") and "timestamp" in event:
                state.meta_last_message_at[str(event["sender"]["id"])] = datetime.fromtimestamp(
                    int(event["timestamp"]) / 1000, tz=UTC)


def push(state: SandboxState, network: str, payloads: list[dict[str, Any]], target_url: str, *,
         duplicate: bool = False, reverse: bool = False, timeout: float = 10.0) -> list[int]:
    """POST each payload signed to ``target_url``; ``duplicate`` sends each twice,
    ``reverse`` delivers newest first. Returns the status codes received."""
    ordered = list(reversed(payloads)) if reverse else list(payloads)
    statuses: list[int] = []
    with httpx.Client(timeout=timeout) as client:
        for payload in ordered:
            body, headers = signed_delivery(state, network, payload)
            statuses.extend(client.post(target_url, content=body, headers=headers).status_code
                            for _ in range(2 if duplicate else 1))
    return statuses
