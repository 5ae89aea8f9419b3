"""Run the sandbox on 127.0.0.1 and a free port in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from henshin.sandbox.app import GRAPH_PREFIX, create_sandbox_app
from henshin.sandbox.state import SandboxState


@dataclass
class RunningSandbox:
    """A sandbox serving at ``url``; call ``stop()`` when done."""

    url: str
    state: SandboxState
    _server: uvicorn.Server
    _thread: threading.Thread

    @property
    def x_url(self) -> str:
        return f"{self.url}/x"

    @property
    def graph_url(self) -> str:
        return f"{self.url}{GRAPH_PREFIX}"

    @property
    def line_url(self) -> str:
        return f"{self.url}/line"

    @property
    def rss_url(self) -> str:
        return f"{self.url}/rss"

    def stop(self) -> None:
        """Shut the server down and wait for its thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sandbox(state: SandboxState | None = None) -> RunningSandbox:
    """Start the sandbox networks on loopback; returns once the port answers."""
    state = state or SandboxState()
    port = _free_port()
    config = uvicorn.Config(create_sandbox_app(state), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="henshin-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("sandbox server did not start")
        time.sleep(0.02)
    return RunningSandbox(url=f"http://127.0.0.1:{port}", state=state, _server=server, _thread=thread)
