"""Connecting Facebook Pages and Instagram with Facebook Login for Business against the
sandbox: dialog → code → long-lived token → the page (and its Instagram account) with its
page token; a wrong app secret or a replayed code is refused with Meta's words."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from fastapi.testclient import TestClient

from henshin.sandbox.server import RunningSandbox
from tests.channels.sandbox_fixtures import sandbox  # noqa: F401
from tests.support.factories import Tenant


def start(client: TestClient, tenant: Tenant, sandbox: RunningSandbox, network: str,
          **config: Any) -> dict[str, Any]:
    r = client.post("/api/v1/channels/oauth/start", headers=tenant.headers(), json={
        "network": network, "name": f"{network} via Facebook Login",
        "config": {"app_id": sandbox.state.meta_app_id, "app_secret": sandbox.state.meta_app_secret,
                   "verify_token": sandbox.state.meta_verify_token, **config},
        "settings": {"base_url": sandbox.graph_url}})
    assert r.status_code == 200, r.text
    return dict(r.json())


def approve(url: str) -> str:
    """The admin logs in and grants access on Meta; returns the callback path + query."""
    callback = urlparse(httpx.get(url).headers["location"])
    return f"{callback.path}?{callback.query}"


def test_facebook_login_connects_the_page_with_its_page_token(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox) -> None:
    started = start(client, tenant, sandbox, "facebook")
    url = urlparse(started["authorize_url"])
    query = parse_qs(url.query)
    assert url.path.endswith("/dialog/oauth") and query["client_id"] == [sandbox.state.meta_app_id]
    assert "pages_messaging" in query["scope"][0] and query["state"] == [started["state"]]
    done = client.get(approve(started["authorize_url"]))
    assert done.status_code == 200, done.text
    channel = client.get(f"/api/v1/channels/{done.json()['channel_id']}", headers=tenant.headers()).json()
    assert channel["external_account_id"] == sandbox.state.fb_page_id and channel["status"] == "active"
    assert channel["config"]["page_name"] == "henshin tea" and channel["config"]["access_token"] == "set"
    assert sandbox.state.meta_app_secret not in str(channel)
    calls = [path for method, path in sandbox.state.calls if method == "GET"]
    assert calls.count("/graph/v21.0/oauth/access_token") >= 2  # the code, then the long-lived exchange
    assert "/graph/v21.0/me/accounts" in calls


def test_instagram_login_finds_the_linked_professional_account(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox) -> None:
    started = start(client, tenant, sandbox, "instagram")
    assert "instagram_manage_comments" in parse_qs(urlparse(started["authorize_url"]).query)["scope"][0]
    done = client.get(approve(started["authorize_url"]))
    assert done.status_code == 200, done.text
    channel = client.get(f"/api/v1/channels/{done.json()['channel_id']}", headers=tenant.headers()).json()
    assert channel["external_account_id"] == sandbox.state.ig_user_id
    assert channel["handle"] == sandbox.state.ig_username or channel["config"]["username"] == sandbox.state.ig_username


def test_a_wrong_app_secret_or_a_replayed_code_is_refused(
        client: TestClient, tenant: Tenant, sandbox: RunningSandbox) -> None:
    wrong = start(client, tenant, sandbox, "facebook", app_secret="not-the-app-secret")
    refused = client.get(approve(wrong["authorize_url"]))
    assert refused.status_code == 422 and "client secret" in refused.json()["error"]["message"]
    good = start(client, tenant, sandbox, "facebook")
    callback = approve(good["authorize_url"])
    assert client.get(callback).status_code == 200
    replay = client.get(callback)
    assert replay.status_code == 422 and "already used" in replay.json()["error"]["message"]
    missing = client.post("/api/v1/channels/oauth/start", headers=tenant.headers(), json={
        "network": "instagram", "config": {"app_secret": "s", "verify_token": "v"},
        "settings": {"base_url": sandbox.graph_url}})
    assert missing.status_code == 422 and "app id" in missing.json()["error"]["message"]
