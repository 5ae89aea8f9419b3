"""Shared by the channel, webhook and worker tests: a sandbox on loopback and channels
connected to it through the public API."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from henshin.demo.sandbox_channels import sandbox_connection
from henshin.sandbox.server import RunningSandbox, start_sandbox
from henshin.sandbox.state import SandboxState
from henshin.sandbox.stream import seed_world
from tests.support.factories import Tenant

# Real retry waits (0.5 s, doubling) made each retry test take seconds; the behaviour is the same.
os.environ.setdefault("HENSHIN_HTTP_RETRY_WAIT", "0.01")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox(seed_world(SandboxState(), seed=11, count=12))
    yield running
    running.stop()


def connect(client: TestClient, tenant: Tenant, sandbox: RunningSandbox, network: str,
            **credential_overrides: Any) -> dict[str, Any]:
    """Connect ``network`` to the sandbox through ``POST /api/v1/channels``."""
    credentials, settings = sandbox_connection(sandbox, network)
    response = client.post("/api/v1/channels", headers=tenant.headers(), json={
        "network": network, "name": f"{network} sandbox", "credentials": {**credentials, **credential_overrides},
        "settings": settings})
    assert response.status_code == 201, response.text
    return dict(response.json())


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)
