"""HMAC webhook signatures as X, Meta and LINE define them (constant-time comparison)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from henshin.connectors.errors import SignatureInvalid


def hmac_sha256(secret: str, body: bytes) -> bytes:
    """Raw HMAC-SHA256 digest of ``body`` keyed with ``secret``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


def x_signature(consumer_secret: str, body: bytes) -> str:
    """X: ``sha256=`` + base64(HMAC-SHA256(consumer secret, body)); also the CRC answer."""
    return "sha256=" + base64.b64encode(hmac_sha256(consumer_secret, body)).decode()


def meta_signature(app_secret: str, body: bytes) -> str:
    """Meta ``X-Hub-Signature-256``: ``sha256=`` + hex(HMAC-SHA256(app secret, raw body))."""
    return "sha256=" + hmac_sha256(app_secret, body).hex()


def line_signature(channel_secret: str, body: bytes) -> str:
    """LINE ``x-line-signature``: base64(HMAC-SHA256(channel secret, raw body))."""
    return base64.b64encode(hmac_sha256(channel_secret, body)).decode()


def require_match(expected: str, received: str | None, *, header: str) -> None:
    """Raise ``SignatureInvalid`` unless ``received`` equals ``expected`` (constant time)."""
    if not received:
        raise SignatureInvalid(f"missing {header} header")
    if not hmac.compare_digest(expected.encode(), received.strip().encode()):
        raise SignatureInvalid(f"{header} does not match the body signed with the channel secret")
