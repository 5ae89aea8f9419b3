"""Sessions with CSRF, bearer tokens, roles, and workspace isolation."""

from __future__ import annotations

from fastapi.testclient import TestClient

from henshin.db.session import Database
from tests.support.factories import PASSWORD, Tenant, engagement, ingest, make_tenant


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_cookie_session_needs_csrf_for_writes(client: TestClient, tenant: Tenant) -> None:
    ticket_id = ingest(client, tenant, [engagement()])[0]["ticket_id"]
    me = login(client, tenant.agent_email)
    assert me["workspace"]["slug"] == tenant.slug and me["workspace"]["role"] == "agent"
    assert client.get(f"/api/v1/tickets/{ticket_id}").status_code == 200
    refused = client.post(f"/api/v1/tickets/{ticket_id}/close")
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    wrong = client.post(f"/api/v1/tickets/{ticket_id}/close", headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    ok = client.post(f"/api/v1/tickets/{ticket_id}/close", headers={"X-CSRF-Token": me["csrf_token"]})
    assert ok.status_code == 200 and ok.json()["status"] == "closed"


def test_a_wrong_password_and_a_logout(client: TestClient, tenant: Tenant) -> None:
    bad = client.post("/api/v1/auth/login", json={"email": tenant.agent_email, "password": "nope-nope"})
    assert bad.status_code == 401
    me = login(client, tenant.agent_email)
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": me["csrf_token"]}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_unknown_or_revoked_tokens_are_refused(client: TestClient, tenant: Tenant) -> None:
    assert client.get("/api/v1/tickets", headers={"Authorization": "Bearer hs_forged"}).status_code == 401
    created = client.post("/api/v1/workspace/tokens", json={"name": "zapier"}, headers=tenant.headers()).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/workspace/tokens/{created['id']}", headers=tenant.headers()).status_code == 204
    assert client.get("/api/v1/tickets", headers=headers).status_code == 401


def test_agents_cannot_do_admin_work(client: TestClient, tenant: Tenant) -> None:
    response = client.post("/api/v1/workspace/tokens", json={"name": "x"}, headers=tenant.headers("agent"))
    assert response.status_code == 403 and "admin" in response.json()["error"]["message"]
    response = client.post("/api/v1/channels", json={"network": "x", "name": "x"}, headers=tenant.headers("agent"))
    assert response.status_code == 403


def test_one_workspace_cannot_see_or_touch_anothers_data(client: TestClient, tenant: Tenant, database: Database) -> None:
    other = make_tenant(database)
    mine = ingest(client, tenant, [engagement("iso-1", "private matter")])[0]["ticket_id"]
    theirs = ingest(client, other, [engagement("iso-2", "their matter")])[0]["ticket_id"]
    h = tenant.headers()
    assert client.get(f"/api/v1/tickets/{theirs}", headers=h).status_code == 404
    for action, body in [("close", None), ("assign", {"user_id": tenant.agent_id}), ("tags", {"tags": ["x"]}),
                         ("reply", {"text": "hi"}), ("notes", {"text": "hi"}), ("snooze", {"until": "2099-01-01T00:00:00Z"})]:
        assert client.post(f"/api/v1/tickets/{theirs}/{action}", json=body, headers=h).status_code == 404, action
    bulk = client.post("/api/v1/tickets/bulk", json={"ticket_ids": [mine, theirs], "action": "close"}, headers=h)
    assert bulk.status_code == 422
    listed = client.get("/api/v1/tickets", headers=h).json()["items"]
    assert [t["id"] for t in listed] == [mine]
    assert client.get("/api/v1/tickets", params={"q": "their"}, headers=h).json()["items"] == []
    stolen = client.post("/api/v1/engagements", json={"channel_id": other.channel_id, "engagements": [engagement()]}, headers=h)
    assert stolen.status_code == 404
    assert client.get(f"/api/v1/channels/{other.channel_id}", headers=h).status_code == 404
    assert client.get(f"/api/v1/tickets/{theirs}", headers=other.headers()).json()["status"] == "open"


def test_a_session_can_switch_only_to_its_own_workspaces(client: TestClient, tenant: Tenant, database: Database) -> None:
    other = make_tenant(database)
    login(client, tenant.agent_email)
    response = client.get("/api/v1/tickets", headers={"X-Henshin-Workspace": other.slug})
    assert response.status_code == 403


def test_channel_credentials_are_encrypted_at_rest(client: TestClient, tenant: Tenant, database: Database) -> None:
    from sqlalchemy import text

    credentials = {"ig_user_id": "17841400000000001", "username": "tea_cafe", "access_token": "EAAB-very-secret",
                   "app_secret": "app-secret-123", "verify_token": "verify-me"}
    incomplete = client.post("/api/v1/channels", json={"network": "instagram", "name": "IG",
                                                        "credentials": {"access_token": "EAAB-very-secret"}},
                             headers=tenant.headers())
    assert incomplete.status_code == 422 and "app_secret" in incomplete.text
    created = client.post("/api/v1/channels", json={"network": "instagram", "name": "IG", "credentials": credentials},
                          headers=tenant.headers())
    assert created.status_code == 201, created.text
    assert created.json()["has_credentials"] is True
    assert "EAAB" not in created.text
    with database.engine.connect() as conn:
        stored = conn.execute(text("SELECT credentials_encrypted FROM channels WHERE id = :i"), {"i": created.json()["id"]}).scalar()
    assert stored and "EAAB-very-secret" not in stored and "app-secret-123" not in stored
