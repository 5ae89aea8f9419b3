"""The /rules page: list with toggles, the JSON editor with its validation messages, both languages."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.support.factories import Tenant
from tests.support.pages import log_in_page


def test_create_toggle_and_see_errors_on_the_rules_page(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.admin_email, lang="ja", page="/rules")
    page = ui.get("/rules")
    assert page.status_code == 200 and "ルールはまだありません" in page.text and "ドライラン" in page.text

    bad = {"name": "typo", "actions": [{"type": "tagg", "tags": ["x"]}]}
    refused = ui.post("/rules", data={"csrf_token": csrf, "definition": json.dumps(bad)})
    assert refused.status_code == 422
    assert "actions[0].type" in refused.text and "did you mean" in refused.text

    good = {"name": "返金キーワード", "conditions": {"all": [{"field": "text", "op": "contains_any", "value": ["返金"]}]},
            "actions": [{"type": "tag", "tags": ["refund"]}]}
    saved = ui.post("/rules", data={"csrf_token": csrf, "definition": json.dumps(good)}, follow_redirects=False)
    assert saved.status_code == 303
    [rule] = ui.get("/api/v1/rules").json()
    assert "返金キーワード" in ui.get("/rules").text

    ui.post(f"/rules/{rule['id']}/toggle", data={"csrf_token": csrf})
    assert ui.get(f"/api/v1/rules/{rule['id']}").json()["enabled"] is False
    assert ui.post(f"/rules/{rule['id']}/toggle", data={}).status_code == 403  # no CSRF token


def test_the_page_in_english_and_agents_cannot_edit(ui: TestClient, shop: Tenant) -> None:
    log_in_page(ui, shop.agent_email, lang="en", page="/rules")
    page = ui.get("/rules")
    assert page.status_code == 200 and "No rules yet." in page.text
    assert 'id="rule-form"' not in page.text
