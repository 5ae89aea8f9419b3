"""X against the sandbox API v2, on what X's docs fix: the scopes the OAuth flow must ask
for, and the page-size ranges and page parameters of search and timelines."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from henshin.connectors.types import OutboundAction, OutboundKind
from henshin.connectors.x.connector import XConnector
from henshin.sandbox.server import RunningSandbox, start_sandbox
from henshin.sandbox.state import SandboxState
from henshin.sandbox.stream import seed_world


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox(seed_world(SandboxState(), seed=4, count=30))
    yield running
    running.stop()


def test_a_channel_connected_through_oauth_may_hide_replies(sandbox: RunningSandbox) -> None:
    # PUT /2/tweets/:id/hidden needs tweet.moderate.write; the token only holds what was asked.
    verifier = "k" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    setup = XConnector({"user_id": sandbox.state.x_user_id, "username": sandbox.state.x_username,
                        "access_token": "pending", "client_id": sandbox.state.x_client_id}, base_url=sandbox.x_url)
    url = setup.authorize_url("st", "http://127.0.0.1/cb", code_challenge=challenge)
    assert "tweet.moderate.write" in parse_qs(urlparse(url).query)["scope"][0].split()
    code = parse_qs(urlparse(httpx.get(url).headers["location"]).query)["code"][0]
    creds = asyncio.run(setup.exchange_code(code, "http://127.0.0.1/cb", code_verifier=verifier))
    connected = XConnector({"user_id": creds["user_id"], "username": creds["username"],
                            "access_token": creds["access_token"]}, base_url=sandbox.x_url)
    reply = next(t for t in sandbox.state.tweets if t.get("in_reply_to_user_id") == sandbox.state.x_user_id)
    result = asyncio.run(connected.perform(OutboundAction(kind=OutboundKind.HIDE, idempotency_key="h",
                                                          target_external_id=reply["id"])))
    assert result.raw == {"data": {"hidden": True}}
    narrow = httpx.put(f"{sandbox.x_url}/2/tweets/{reply['id']}/hidden", json={"hidden": True}, headers={
        "Authorization": f"Bearer {_token_with(sandbox, 'tweet.read users.read')}"})
    assert narrow.status_code == 403 and narrow.json()["title"] == "Forbidden"


def _token_with(sandbox: RunningSandbox, scopes: str) -> str:
    sandbox.state.tokens["narrow"] = "x"
    sandbox.state.token_scopes["narrow"] = set(scopes.split())
    return "narrow"


def test_search_takes_10_to_100_results_and_next_token_pages(sandbox: RunningSandbox) -> None:
    search, auth = f"{sandbox.x_url}/2/tweets/search/recent", {"Authorization": "Bearer x-token"}
    too_few = httpx.get(search, params={"query": "注文", "max_results": 5}, headers=auth)
    assert too_few.status_code == 400
    assert too_few.json()["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert httpx.get(f"{sandbox.x_url}/2/users/{sandbox.state.x_user_id}/mentions", params={"max_results": 5},
                     headers=auth).status_code == 200
    first = httpx.get(search, params={"query": "henshin_books", "max_results": 10}, headers=auth).json()
    second = httpx.get(search, params={"query": "henshin_books", "max_results": 10,
                                       "next_token": first["meta"]["next_token"]}, headers=auth).json()
    assert first["meta"]["result_count"] == 10 and int(second["data"][0]["id"]) < int(first["data"][-1]["id"])
