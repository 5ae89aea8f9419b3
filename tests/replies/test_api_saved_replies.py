"""Saved replies through the API: validation, sharing, Japanese-aware search, render + usage."""

from __future__ import annotations

from fastapi.testclient import TestClient

from henshin.db.session import Database
from tests.support.factories import Tenant, engagement, ingest, make_tenant


def create(client: TestClient, tenant: Tenant, who: str = "admin", **fields: object) -> dict:
    body = {"title": "配送遅延のお詫び", "body": "{customer_name}様、配送が遅れており申し訳ございません。", **fields}
    response = client.post("/api/v1/saved-replies", json=body, headers=tenant.headers(who))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_template_with_an_unknown_variable_or_a_lone_brace_is_refused(client: TestClient, tenant: Tenant) -> None:
    bad = client.post("/api/v1/saved-replies", json={"title": "x", "body": "Hi {custmer_name}"},
                      headers=tenant.headers())
    assert bad.status_code == 422
    assert "{custmer_name}" in bad.json()["error"]["message"]
    brace = client.post("/api/v1/saved-replies", json={"title": "x", "body": "Hi {customer_name"},
                        headers=tenant.headers())
    assert brace.status_code == 422 and "template error" in brace.json()["error"]["message"]


def test_agents_keep_personal_replies_and_only_supervisors_share(client: TestClient, tenant: Tenant) -> None:
    refused = client.post("/api/v1/saved-replies", json={"title": "t", "body": "b"}, headers=tenant.headers("agent"))
    assert refused.status_code == 403
    mine = create(client, tenant, "agent", title="My thanks", body="Thanks! — {agent_name}", shared=False)
    assert mine["shared"] is False and mine["variables"] == ["agent_name"]
    shared = create(client, tenant)
    admin_view = client.get("/api/v1/saved-replies", headers=tenant.headers()).json()
    assert [r["id"] for r in admin_view["items"]] == [shared["id"]]
    assert client.get(f"/api/v1/saved-replies/{mine['id']}", headers=tenant.headers()).status_code == 404
    agent_view = client.get("/api/v1/saved-replies", headers=tenant.headers("agent")).json()
    assert {r["id"] for r in agent_view["items"]} == {mine["id"], shared["id"]}
    # An agent cannot edit the shared one, but can edit their own.
    assert client.patch(f"/api/v1/saved-replies/{shared['id']}", json={"title": "x"},
                        headers=tenant.headers("agent")).status_code == 403
    edited = client.patch(f"/api/v1/saved-replies/{mine['id']}", json={"language": "en", "tags": ["Thanks"]},
                          headers=tenant.headers("agent"))
    assert edited.status_code == 200 and edited.json()["language"] == "en" and edited.json()["tags"] == ["thanks"]


def test_search_folds_width_kana_and_case_and_finds_shortcuts(client: TestClient, tenant: Tenant) -> None:
    points = create(client, tenant, title="ポイントカードの再発行", body="ポイントカードは店頭で再発行できます。",
                    shortcut="points", language="ja")
    delay = create(client, tenant, shortcut="/delay", language="ja", tags=["配送"])
    english = create(client, tenant, title="Refund timeline", body="Refunds take 5-7 business days.", language="en")

    def ids(**params: str) -> list[int]:
        response = client.get("/api/v1/saved-replies", params=params, headers=tenant.headers("agent"))
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert ids(q="ﾎﾟｲﾝﾄ") == [points["id"]]  # half-width katakana
    assert ids(q="ぽいんと　再発行") == [points["id"]]  # hiragana, full-width space
    assert ids(q="REFUND") == [english["id"]]
    assert ids(q="/del") == [delay["id"]]
    assert ids(shortcut="/points") == [points["id"]]
    assert ids(language="en") == [english["id"]]
    duplicate = client.post("/api/v1/saved-replies", json={"title": "t", "body": "b", "shortcut": "delay"},
                            headers=tenant.headers())
    assert duplicate.status_code == 409


def test_render_fills_the_ticket_variables_reports_missing_ones_and_counts_use(
    client: TestClient, tenant: Tenant
) -> None:
    ticket_id = ingest(client, tenant, [engagement("r1", "注文した本が届きません", handle="hanako")])[0]["ticket_id"]
    row = create(client, tenant, body="{customer_name}様、{agent_name}です。{brand_name}の注文状況は {order_url} からご確認ください。")
    rendered = client.post(f"/api/v1/saved-replies/{row['id']}/render", params={"ticket_id": ticket_id},
                           headers=tenant.headers("agent"))
    assert rendered.status_code == 200, rendered.text
    data = rendered.json()
    assert data["text"].startswith("hanako様、佐藤")
    assert data["missing"] == ["order_url"] and "{order_url}" in data["text"] and data["complete"] is False
    assert data["usage_count"] == 1
    filled = client.post(f"/api/v1/saved-replies/{row['id']}/render", params={"ticket_id": ticket_id},
                         json={"variables": {"order_url": "https://shop.example/o/1"}},
                         headers=tenant.headers("agent")).json()
    assert filled["complete"] is True and "https://shop.example/o/1" in filled["text"]
    assert filled["usage_count"] == 2


def test_another_workspace_never_sees_a_saved_reply(client: TestClient, tenant: Tenant, database: Database) -> None:
    row = create(client, tenant)
    other = make_tenant(database)
    assert client.get(f"/api/v1/saved-replies/{row['id']}", headers=other.headers()).status_code == 404
    assert client.get("/api/v1/saved-replies", headers=other.headers()).json()["total"] == 0
    assert client.delete(f"/api/v1/saved-replies/{row['id']}", headers=other.headers()).status_code == 404
