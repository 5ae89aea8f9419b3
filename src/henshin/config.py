"""Settings: one pydantic-settings class, read from ``HENSHIN_*`` variables or a TOML/env file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything henshin reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="HENSHIN_",
        env_file=os.environ.get("HENSHIN_CONFIG_FILE", ".env"),
        extra="ignore",
    )

    database_url: str = Field(default="sqlite:///var/henshin.sqlite3")
    # Fernet key (urlsafe base64, 32 bytes) for network credentials at rest. When unset a
    # key is generated once next to the SQLite file so a laptop install still encrypts.
    secret_key: str | None = None
    session_secret: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    run_workers_in_process: bool = True
    # Ingest webhook deliveries in a process the server starts beside itself: on SQLite that
    # lets intake use a second core (benchmarks/webhooks.py --ingester-process).
    ingest_in_own_process: bool = False
    worker_poll_seconds: float = 1.0
    sandbox_url: str | None = None
    # Where notification emails go (rules' notify_email, escalations).
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_from: str = "henshin@localhost"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    # Deep understanding (multilingual USE heads, `henshin.understand.deep`) for ingest and
    # re-analysis: better complaints and sentiment at about a tenth of the fast path's speed;
    # needs ``pip install 'henshin[deep]'`` (checked at start-up).
    understand_deep: bool = False
    log_level: str = "INFO"
    debug: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def data_dir(self) -> Path:
        """Where local state (generated keys, SQLite file) lives."""
        if self.is_sqlite and ":memory:" not in self.database_url:
            path = self.database_url.split("///", 1)[-1]
            return Path(path).resolve().parent
        return Path("var").resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear()``)."""
    return Settings()
