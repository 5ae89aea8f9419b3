"""/api/v1/workspace: teams updated and deleted, members added and their roles changed, with role checks."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.factories import Tenant


def workspace(client: TestClient, tenant: Tenant) -> dict[str, Any]:
    return dict(client.get("/api/v1/workspace", headers=tenant.headers()).json())


def test_teams_are_renamed_restaffed_and_deleted_by_supervisors(client: TestClient, tenant: Tenant) -> None:
    url = f"/api/v1/workspace/teams/{tenant.team_id}"
    renamed = client.patch(url, json={"name": "CS 日本語", "member_ids": [tenant.admin_id]}, headers=tenant.headers())
    assert renamed.status_code == 200 and renamed.json() == {"id": tenant.team_id, "name": "CS 日本語",
                                                             "member_ids": [tenant.admin_id]}
    other = client.post("/api/v1/workspace/teams", json={"name": "VIP"}, headers=tenant.headers()).json()
    taken = client.patch(f"/api/v1/workspace/teams/{other['id']}", json={"name": "cs 日本語"}, headers=tenant.headers())
    assert taken.status_code == 409 and "already exists" in taken.json()["error"]["message"]
    assert client.post("/api/v1/workspace/teams", json={"name": "VIP"}, headers=tenant.headers()).status_code == 409
    stranger = client.patch(url, json={"member_ids": [987654]}, headers=tenant.headers())
    assert stranger.status_code == 422
    assert client.patch(url, json={"name": "mine"}, headers=tenant.headers("agent")).status_code == 403
    assert client.delete(url, headers=tenant.headers("agent")).status_code == 403

    client.put("/api/v1/routing/escalation", json={"L3": {"team_id": tenant.team_id}}, headers=tenant.headers())
    in_use = client.delete(url, headers=tenant.headers())
    assert in_use.status_code == 409 and "L3" in in_use.json()["error"]["message"]
    client.put("/api/v1/routing/escalation", json={}, headers=tenant.headers())
    assert client.delete(url, headers=tenant.headers()).status_code == 204
    assert [t["name"] for t in workspace(client, tenant)["teams"]] == ["VIP"]
    assert client.delete(url, headers=tenant.headers()).status_code == 404


def test_admins_add_members_and_change_roles_keeping_one_admin(client: TestClient, tenant: Tenant) -> None:
    body = {"email": "Mika@Example.jp", "name": "美香", "role": "supervisor", "password": "long enough pw"}
    assert client.post("/api/v1/workspace/members", json=body, headers=tenant.headers("agent")).status_code == 403
    added = client.post("/api/v1/workspace/members", json=body, headers=tenant.headers())
    assert added.status_code == 201
    assert (added.json()["email"], added.json()["role"]) == ("mika@example.jp", "supervisor")
    assert client.post("/api/v1/workspace/members", json=body, headers=tenant.headers()).status_code == 409
    no_password = client.post("/api/v1/workspace/members", json={"email": "nobody@example.jp"},
                              headers=tenant.headers())
    assert no_password.status_code == 422 and "password" in no_password.json()["error"]["message"]

    user_id = added.json()["user_id"]
    role_url = f"/api/v1/workspace/members/{user_id}"
    admin_url = f"/api/v1/workspace/members/{tenant.admin_id}"
    last = client.patch(admin_url, json={"role": "agent"}, headers=tenant.headers())
    assert last.status_code == 409 and "at least one admin" in last.json()["error"]["message"]
    assert client.patch(role_url, json={"role": "owner"}, headers=tenant.headers()).status_code == 422
    assert client.patch(role_url, json={"role": "admin"}, headers=tenant.headers("agent")).status_code == 403
    assert client.patch(role_url, json={"role": "admin"}, headers=tenant.headers()).json()["role"] == "admin"
    # with a second admin, the first may step down (and then acts as an agent)
    assert client.patch(admin_url, json={"role": "agent"}, headers=tenant.headers()).json()["role"] == "agent"
    assert client.patch(role_url, json={"role": "agent"}, headers=tenant.headers()).status_code == 403
    roles = {m["user_id"]: m["role"] for m in workspace(client, tenant)["members"]}
    assert roles[user_id] == "admin" and roles[tenant.admin_id] == "agent"
