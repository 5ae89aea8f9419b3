"""GET /api/v1/tickets: filters, sorting, free text (width and kana folded), cursor pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.factories import Tenant, engagement, ingest


def ids(client: TestClient, tenant: Tenant, **params: object) -> list[int]:
    response = client.get("/api/v1/tickets", params=params, headers=tenant.headers())
    assert response.status_code == 200, response.text
    return [t["id"] for t in response.json()["items"]]


def test_cursor_pages_cover_every_ticket_once_newest_first(client: TestClient, tenant: Tenant) -> None:
    created = [r["ticket_id"] for r in ingest(client, tenant, [engagement(f"pg-{i}", author=f"a{i}", minutes=i // 2) for i in range(23)])]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 5}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/tickets", params=params, headers=tenant.headers()).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(created) and len(seen) == len(set(seen))
    activity = [t for t in seen]
    assert activity[0] in created[-2:], "newest activity first"


def test_filters_narrow_the_list(client: TestClient, tenant: Tenant) -> None:
    a, b, c = (r["ticket_id"] for r in ingest(client, tenant, [
        engagement("f1", "返金はまだですか", author="u1"),
        engagement("f2", "Love it!", author="u2", kind="comment"),
        engagement("f3", "Where is my order?", author="u3"),
    ]))
    h = tenant.headers()
    client.post(f"/api/v1/tickets/{a}/assign", json={"user_id": tenant.agent_id}, headers=h)
    client.post(f"/api/v1/tickets/{b}/tags", json={"tags": ["praise"]}, headers=h)
    client.post(f"/api/v1/tickets/{c}/close", headers=h)
    assert ids(client, tenant, assignee_id=tenant.agent_id) == [a]
    assert ids(client, tenant, tag="praise") == [b]
    assert set(ids(client, tenant, status="open")) == {a, b}
    assert ids(client, tenant, kind="comment") == [b]
    assert ids(client, tenant, language="ja") == [a]
    assert set(ids(client, tenant, unassigned=True)) == {b, c}
    assert ids(client, tenant, status="closed", network="x") == [c]


def test_free_text_search_folds_width_and_kana(client: TestClient, tenant: Tenant) -> None:
    hit = ingest(client, tenant, [engagement("t1", "ホウジチャラテが売り切れでした"), engagement("t2", "Ｐｒｉｃｅ ｉｓ ｏｋ", author="u9")])
    assert ids(client, tenant, q="ﾎｳｼﾞﾁｬ") == [hit[0]["ticket_id"]]
    assert ids(client, tenant, q="ほうじちゃ") == [hit[0]["ticket_id"]]
    assert ids(client, tenant, q="PRICE") == [hit[1]["ticket_id"]]


def test_oldest_waiting_first(client: TestClient, tenant: Tenant) -> None:
    early, late = (r["ticket_id"] for r in ingest(client, tenant, [
        engagement("o1", "first", author="u1", minutes=0), engagement("o2", "second", author="u2", minutes=10)]))
    answered = ingest(client, tenant, [engagement("o3", "third", author="u3", minutes=-30)])[0]["ticket_id"]
    client.post(f"/api/v1/tickets/{answered}/reply", json={"text": "done"}, headers=tenant.headers())
    assert ids(client, tenant, sort="oldest_waiting") == [early, late, answered]


def test_bad_parameters_say_what_is_wrong(client: TestClient, tenant: Tenant) -> None:
    h = tenant.headers()
    bad_cursor = client.get("/api/v1/tickets", params={"cursor": "garbage"}, headers=h)
    assert bad_cursor.status_code == 422 and "cursor" in bad_cursor.json()["error"]["message"]
    bad_status = client.get("/api/v1/tickets", params={"status": "pending"}, headers=h)
    assert bad_status.status_code == 422 and "status" in bad_status.json()["error"]["message"]
    bad_limit = client.get("/api/v1/tickets", params={"limit": 0}, headers=h)
    assert bad_limit.status_code == 422
    naive = client.get("/api/v1/tickets", params={"created_from": "2026-01-01T00:00:00"}, headers=h)
    assert naive.status_code == 422 and "timezone" in naive.json()["error"]["message"]


def test_oldest_waiting_pages_cover_waiting_then_answered_tickets(client: TestClient, tenant: Tenant) -> None:
    created = [r["ticket_id"] for r in ingest(client, tenant, [
        engagement(f"ow-{i}", f"q{i}", author=f"w{i}", minutes=10 - i) for i in range(7)])]
    for answered in created[:3]:
        client.post(f"/api/v1/tickets/{answered}/reply", json={"text": "done"}, headers=tenant.headers())
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 2, "sort": "oldest_waiting"}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/tickets", params=params, headers=tenant.headers()).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    waiting = sorted(created[3:], key=lambda t: -created.index(t))  # the later index was written earlier
    assert seen[:4] == waiting
    assert sorted(seen[4:]) == sorted(created[:3]) and len(seen) == 7
