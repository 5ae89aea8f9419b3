"""Meta webhooks: the ``hub.challenge`` handshake and ``X-Hub-Signature-256``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from henshin.connectors.base import ChallengeResponse
from henshin.connectors.errors import MalformedPayload
from henshin.connectors.signing import meta_signature, require_match


def challenge(method: str, query: Mapping[str, str], verify_token: str) -> ChallengeResponse | None:
    """``GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`` → echo the challenge."""
    if method.upper() != "GET" or "hub.challenge" not in query:
        return None
    if query.get("hub.mode") != "subscribe" or query.get("hub.verify_token") != verify_token:
        return ChallengeResponse(status_code=403, body="hub.verify_token does not match this channel")
    return ChallengeResponse(body=query["hub.challenge"])


def verify(headers: Mapping[str, str], body: bytes, app_secret: str) -> None:
    """Raise ``SignatureInvalid`` unless ``X-Hub-Signature-256`` signs the raw body."""
    lowered = {k.lower(): v for k, v in headers.items()}
    require_match(meta_signature(app_secret, body), lowered.get("x-hub-signature-256"),
                  header="X-Hub-Signature-256")


def entries(body: bytes, expected_object: str) -> list[dict[str, Any]]:
    """The ``entry`` list of a delivery whose ``object`` is ``page`` or ``instagram``."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise MalformedPayload(f"Meta webhook body is not JSON: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("object") != expected_object:
        got = payload.get("object") if isinstance(payload, dict) else type(payload).__name__
        raise MalformedPayload(f"expected a Meta webhook with object={expected_object!r}, got {got!r}")
    entry = payload.get("entry")
    if not isinstance(entry, list):
        raise MalformedPayload("Meta webhook without an entry list")
    return [e for e in entry if isinstance(e, dict)]
