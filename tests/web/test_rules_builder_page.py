"""/rules with the rule builder: the data it is built from, problems handed back by path, role and CSRF checks."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.support.factories import Tenant
from tests.support.pages import log_in_page


def builder_data(html: str) -> Any:
    raw = html.split('<script type="application/json" id="rule-builder-data">')[1].split("</script>")[0]
    return json.loads(raw)


# What the builder writes for: all of (text contains any of 返金/解約, NOT text contains 広告,
# any of (sentiment is negative, author has ≥ 10,000 followers)) → tag + assign to a team.
BUILT = {
    "name": "返金・解約", "trigger": "engagement_received",
    "conditions": {"all": [
        {"field": "text", "op": "contains_any", "value": ["返金", "解約"]},
        {"not": {"field": "text", "op": "contains_any", "value": ["広告"]}},
        {"any": [{"field": "sentiment", "op": "eq", "value": "negative"},
                 {"field": "author_followers", "op": "gte", "value": 10000}]},
    ]},
    "actions": [{"type": "tag", "tags": ["返金対応"]}],
    "stop_processing": True,
}


def test_the_builder_gets_the_language_the_workspace_and_translations(ui: TestClient, shop: Tenant) -> None:
    log_in_page(ui, shop.admin_email, lang="ja", page="/rules")
    data = builder_data(ui.get("/rules").text)
    fields = data["schema"]["x-condition-fields"]
    assert "contains_any" in fields["text"]["ops"] and fields["sentiment"]["choices"] == ["positive", "neutral", "negative"]
    assert "ticket_idle" in data["schema"]["x-triggers"]
    assert [shop.team_id, "CS"] in data["lookups"]["team"]
    assert [shop.channel_id, "x main"] in data["lookups"]["channel"]
    assert {name for _, name in data["lookups"]["user"]} >= {"佐藤" + shop.slug.removeprefix("brand")}
    assert data["strings"]["rules.b.add_condition"] == "条件を追加"
    assert data["strings"]["rules.field.text"] == "本文" and data["strings"]["rules.op.not_contains"] == "のどれも含まない"
    assert data["problems"] == []
    ui.cookies.set("henshin_lang", "en")
    assert builder_data(ui.get("/rules").text)["strings"]["rules.b.add_condition"] == "Add condition"


def test_a_built_rule_saves_as_the_same_definition_and_opens_again(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.admin_email, lang="ja", page="/rules")
    built = {**BUILT, "actions": [*BUILT["actions"], {"type": "assign_team", "team_id": shop.team_id}]}
    saved = ui.post("/rules", data={"csrf_token": csrf, "definition": json.dumps(built, ensure_ascii=False)},
                    follow_redirects=False)
    assert saved.status_code == 303
    [rule] = ui.get("/api/v1/rules").json()
    assert rule["definition"]["conditions"] == BUILT["conditions"]
    assert rule["definition"]["actions"][1] == {"type": "assign_team", "team_id": shop.team_id}
    assert rule["stop_processing"] is True
    editor = ui.get(f"/rules?edit={rule['id']}").text
    assert f'name="rule_id" value="{rule["id"]}"' in editor and "&#34;広告&#34;" in editor


def test_problems_come_back_with_the_paths_the_builder_maps_to_rows(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.admin_email, lang="en", page="/rules")
    wrong = json.loads(json.dumps(BUILT))
    wrong["conditions"]["all"][0]["value"] = []
    wrong["conditions"]["all"][2]["any"][1]["value"] = "many"
    wrong["actions"] = [{"type": "snooze", "minutes": 0}]
    refused = ui.post("/rules", data={"csrf_token": csrf, "definition": json.dumps(wrong)})
    assert refused.status_code == 422
    problems = {p["path"]: p["message"] for p in builder_data(refused.text)["problems"]}
    assert set(problems) == {"conditions.all[0].value", "conditions.all[2].any[1].value", "actions[0].minutes"}
    assert "keyword" in problems["conditions.all[0].value"]
    assert "number" in problems["conditions.all[2].any[1].value"]
    assert json.loads(refused.text.split('name="definition"')[1].split(">", 1)[1].split("</textarea>")[0]
                      .replace("&#34;", '"')) == wrong  # the text is kept as sent
    assert ui.get("/api/v1/rules").json() == []


def test_agents_get_no_builder_and_saves_need_a_supervisor_and_the_csrf_token(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.agent_email, lang="en", page="/rules")
    page = ui.get("/rules").text
    assert 'id="rule-builder"' not in page and 'id="rule-builder-data"' not in page
    assert ui.post("/rules", data={"csrf_token": csrf, "definition": json.dumps(BUILT)}).status_code == 403
    ui.cookies.clear()
    log_in_page(ui, shop.admin_email, lang="en", page="/rules")
    assert ui.post("/rules", data={"definition": json.dumps(BUILT)}).status_code == 403
    assert ui.get("/api/v1/rules").json() == []
