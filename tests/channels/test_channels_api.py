"""Connecting channels through the API: validated credentials, masked secrets, OAuth with
single-use state against the sandbox's authorize/token endpoints, pause and resume."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.sandbox.server import RunningSandbox
from tests.channels.sandbox_fixtures import connect, sandbox  # noqa: F401
from tests.support.factories import Tenant


def test_connect_validates_credentials_against_the_connector_config(client: TestClient, tenant: Tenant) -> None:
    r = client.post("/api/v1/channels", headers=tenant.headers(), json={
        "network": "x", "name": "X", "credentials": {"user_id": "1"}})
    assert r.status_code == 422
    fields = {d["field"] for d in r.json()["error"]["details"]}
    assert {"username", "access_token"} <= fields
    r = client.post("/api/v1/channels", headers=tenant.headers(), json={
        "network": "tiktok", "name": "T", "credentials": {}})
    assert r.status_code == 422 and "no connector for 'tiktok'" in r.json()["error"]["message"]
    r = client.post("/api/v1/channels", headers=tenant.headers("agent"), json={
        "network": "rss", "name": "feed", "credentials": {"feed_url": "https://example.jp/feed"}})
    assert r.status_code == 403


def test_secrets_are_stored_encrypted_and_never_returned(client: TestClient, tenant: Tenant,
                                                         sandbox: RunningSandbox, database: Database) -> None:
    channel = connect(client, tenant, sandbox, "line")
    assert channel["config"]["channel_secret"] == "set" and channel["config"]["channel_id"] == "2000000001"
    assert sandbox.state.line_channel_secret not in str(client.get("/api/v1/channels", headers=tenant.headers()).json())
    with database.engine.connect() as conn:
        stored = conn.exec_driver_sql(f"SELECT credentials_encrypted FROM channels WHERE id = {int(channel['id'])}").scalar()
    assert stored and sandbox.state.line_channel_secret not in stored
    networks = {n["network"]: n for n in client.get("/api/v1/channels/networks", headers=tenant.headers()).json()}
    assert networks["x"]["schema"]["properties"]["access_token"]["format"] == "password"
    assert networks["x"]["oauth"] is True and networks["x"]["text_limits"]["counting"] == "x_weighted"


def test_x_oauth_pkce_flow_connects_a_channel_and_state_is_single_use(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox) -> None:
    start = client.post("/api/v1/channels/oauth/start", headers=tenant.headers(), json={
        "network": "x", "name": "X via OAuth", "config": {"client_id": sandbox.state.x_client_id},
        "settings": {"base_url": sandbox.x_url}})
    assert start.status_code == 200, start.text
    url = start.json()["authorize_url"]
    query = parse_qs(urlparse(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] == [start.json()["state"]]
    callback = httpx.get(url).headers["location"]  # the admin approves on the network
    path = urlparse(callback)
    done = client.get(f"{path.path}?{path.query}")
    assert done.status_code == 200, done.text
    channel = client.get(f"/api/v1/channels/{done.json()['channel_id']}", headers=tenant.headers()).json()
    assert channel["external_account_id"] == sandbox.state.x_user_id and channel["handle"] == sandbox.state.x_username
    assert channel["config"]["access_token"] == "set" and channel["status"] == "active"
    replay = client.get(f"{path.path}?{path.query}")
    assert replay.status_code == 422 and "already used" in replay.json()["error"]["message"]
    forged = client.get("/api/v1/channels/oauth/callback?state=made-up&code=x")
    assert forged.status_code == 422 and "unknown OAuth state" in forged.json()["error"]["message"]


def test_pause_and_resume(client: TestClient, tenant: Tenant, sandbox: RunningSandbox) -> None:
    channel = connect(client, tenant, sandbox, "rss")
    paused = client.post(f"/api/v1/channels/{channel['id']}/pause", headers=tenant.headers()).json()
    assert paused["status"] == "paused" and paused["health"]["state"] == "paused"
    resumed = client.post(f"/api/v1/channels/{channel['id']}/resume", headers=tenant.headers()).json()
    assert resumed["status"] == "active"
    bad = client.patch(f"/api/v1/channels/{channel['id']}", headers=tenant.headers(),
                       json={"settings": {"base_url": "file:///etc/passwd"}})
    assert bad.status_code == 422
