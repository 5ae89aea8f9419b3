"""Encryption at rest for network credentials (Fernet) and hashing of API tokens."""

from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from henshin.config import Settings, get_settings


class SecretBox:
    """Encrypts and decrypts small JSON documents with the workspace-wide key."""

    def __init__(self, key: str | bytes) -> None:
        self._fernet = Fernet(key if isinstance(key, bytes) else key.encode())

    def encrypt_json(self, value: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()

    def decrypt_json(self, token: str) -> dict[str, Any]:
        try:
            return dict(json.loads(self._fernet.decrypt(token.encode())))
        except InvalidToken as exc:
            raise ValueError("credentials cannot be decrypted with the configured key") from exc


def load_or_create_key(settings: Settings, name: str = "secret.key") -> str:
    """The Fernet key from settings, or one generated once and kept in the data dir."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    path.write_text(key)
    path.chmod(0o600)
    return key


_box: SecretBox | None = None


def secret_box() -> SecretBox:
    """The process-wide box built from the settings' key."""
    global _box
    if _box is None:
        _box = SecretBox(load_or_create_key(get_settings()))
    return _box


def reset_secret_box() -> None:
    global _box
    _box = None


def new_token(prefix: str, nbytes: int = 24) -> str:
    """A random, URL-safe token such as ``hs_…`` for API tokens and survey links."""
    return f"{prefix}_{secrets.token_urlsafe(nbytes)}"


def token_digest(token: str) -> str:
    """SHA-256 of a token: what we store instead of the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()
