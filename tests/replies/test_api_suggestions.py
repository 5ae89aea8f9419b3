"""Suggestions and AI drafts for a ticket: ranked, kept current, grounded, never sent."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from fastapi.testclient import TestClient

from henshin.db.session import Database
from tests.support.factories import Tenant, engagement, ingest

REPLIES = [
    ("配送遅延のお詫び", "{customer_name}様、配送が遅れており申し訳ございません。お届け予定日を確認いたします。", "ja"),
    ("ポイントカードの再発行", "ポイントカードは店頭で再発行できます。", "ja"),
    ("Late delivery", "Sorry your parcel is late, {customer_name}. We're checking the delivery date.", "en"),
]


def seed(client: TestClient, tenant: Tenant) -> dict[str, int]:
    ids = {}
    for title, body, language in REPLIES:
        response = client.post("/api/v1/saved-replies", json={"title": title, "body": body, "language": language},
                               headers=tenant.headers())
        assert response.status_code == 201, response.text
        ids[title] = response.json()["id"]
    article = client.post("/api/v1/kb/articles", json={
        "title": "配送・お届け日について", "body": "ご注文から通常3営業日でお届けします。配送状況はマイページで確認できます。",
        "language": "ja", "slug": "delivery", "published": True}, headers=tenant.headers())
    assert article.status_code == 201, article.text
    ids["article"] = article.json()["id"]
    return ids


def suggest(client: TestClient, tenant: Tenant, ticket_id: int, who: str = "agent") -> dict[str, Any]:
    response = client.get(f"/api/v1/tickets/{ticket_id}/suggestions", headers=tenant.headers(who))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_best_saved_reply_and_article_for_the_message_come_first_and_follow_edits(
    client: TestClient, tenant: Tenant
) -> None:
    ids = seed(client, tenant)
    ticket_id = ingest(client, tenant, [engagement("s1", "注文した商品の配送が遅れています。いつ届きますか？",
                                                   handle="hanako", language_hint="ja")])[0]["ticket_id"]
    found = suggest(client, tenant, ticket_id)
    assert found["saved_replies"][0]["id"] == ids["配送遅延のお詫び"]
    assert all(r["language"] in (None, "ja") for r in found["saved_replies"])
    assert found["articles"][0]["public_url"] == f"/kb/{tenant.slug}/delivery"

    # A personal reply of another agent is never suggested; the agent's own one is.
    admin_only = client.post("/api/v1/saved-replies", json={
        "title": "配送の遅れ（個人用）", "body": "配送が遅れています。確認します。", "shared": False, "language": "ja"},
        headers=tenant.headers()).json()
    assert admin_only["id"] not in [r["id"] for r in suggest(client, tenant, ticket_id)["saved_replies"]]
    assert admin_only["id"] in [r["id"] for r in suggest(client, tenant, ticket_id, "admin")["saved_replies"]]

    # Deleting and unpublishing take effect at once (the in-memory index follows).
    client.delete(f"/api/v1/saved-replies/{ids['配送遅延のお詫び']}", headers=tenant.headers())
    client.patch(f"/api/v1/kb/articles/{ids['article']}", json={"published": False}, headers=tenant.headers())
    after = suggest(client, tenant, ticket_id)
    assert ids["配送遅延のお詫び"] not in [r["id"] for r in after["saved_replies"]]
    assert after["articles"] == []


def test_the_default_ai_draft_is_grounded_in_the_best_saved_reply_and_sends_nothing(
    client: TestClient, tenant: Tenant
) -> None:
    seed(client, tenant)
    ticket_id = ingest(client, tenant, [engagement("a1", "配送が遅れています。いつ届きますか？", handle="hanako",
                                                   language_hint="ja")])[0]["ticket_id"]
    response = client.post(f"/api/v1/tickets/{ticket_id}/draft-ai", json={"tone": "apologetic", "language": "ja"},
                           headers=tenant.headers("agent"))
    assert response.status_code == 200, response.text
    draft = response.json()
    assert draft["generator"] == "grounded_template" and draft["needs_confirmation"] is True
    assert "hanako様、配送が遅れており" in draft["text"] and "申し訳" in draft["text"]
    assert draft["grounded_on"][0]["title"] == "配送遅延のお詫び"
    english = client.post(f"/api/v1/tickets/{ticket_id}/draft-ai", json={"tone": "friendly", "language": "en"},
                          headers=tenant.headers("agent")).json()
    assert english["language"] == "en" and "Thanks so much" in english["text"]
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()
    assert not any(e["type"] == "replied" for e in ticket["events"])
    bad = client.post(f"/api/v1/tickets/{ticket_id}/draft-ai", json={"tone": "sarcastic"}, headers=tenant.headers())
    assert bad.status_code == 422


class _FakeCompletions(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        _FakeCompletions.seen.append({"path": self.path, "auth": self.headers.get("authorization"), "body": body})
        answer = json.dumps({"choices": [{"message": {"content": "ご不便をおかけしております。確認してご連絡します。"}}]})
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args: object) -> None:
        pass


def test_a_workspace_can_use_an_openai_compatible_endpoint_with_an_encrypted_key(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    server = HTTPServer(("127.0.0.1", 0), _FakeCompletions)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base_url = f"http://127.0.0.1:{server.server_port}/v1"
        saved = client.put("/api/v1/composer/settings", json={"generator": {
            "kind": "openai_compatible", "base_url": base_url, "model": "local-model", "api_key": "sk-test-123"}},
            headers=tenant.headers())
        assert saved.status_code == 200, saved.text
        assert saved.json()["generator"] == {"kind": "openai_compatible", "base_url": base_url,
                                             "model": "local-model", "has_api_key": True}
        with database.sessions() as db:
            from henshin.models import Workspace

            stored = json.dumps(db.get(Workspace, tenant.workspace_id).settings)  # type: ignore[union-attr]
            assert "sk-test-123" not in stored
        ticket_id = ingest(client, tenant, [engagement("o1", "届きません", language_hint="ja")])[0]["ticket_id"]
        draft = client.post(f"/api/v1/tickets/{ticket_id}/draft-ai", json={"tone": "business"},
                            headers=tenant.headers("agent")).json()
        assert draft["generator"] == "openai_compatible"
        assert draft["text"] == "ご不便をおかけしております。確認してご連絡します。"
        call = _FakeCompletions.seen[-1]
        assert call["path"] == "/v1/chat/completions" and call["auth"] == "Bearer sk-test-123"
        assert call["body"]["model"] == "local-model" and "届きません" in call["body"]["messages"][1]["content"]
    finally:
        server.shutdown()
    # The endpoint is gone: the composer still gets the grounded draft, and the reason.
    fallback = client.post(f"/api/v1/tickets/{ticket_id}/draft-ai", json={"tone": "business"},
                           headers=tenant.headers("agent")).json()
    assert fallback["generator"] == "grounded_template" and "failed" in fallback["generator_error"]
