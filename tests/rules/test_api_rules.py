"""Rules through the API: validation that says where, engagement-triggered actions, logs, stats, dry run."""

from __future__ import annotations

from typing import Any

from tests.support.factories import engagement, ingest

REFUND_RULE: dict[str, Any] = {
    "name": "返金キーワード",
    "conditions": {"all": [{"field": "text", "op": "contains_any", "value": ["返金", "refund"]}]},
    "actions": [{"type": "tag", "tags": ["refund"]}, {"type": "set_priority", "priority": "high"}],
}


def _history(client, tenant, ticket_id: int) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    detail = client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()
    return list(detail["events"])


def test_a_rule_with_a_typo_is_rejected_with_the_path_and_a_suggestion(client, tenant) -> None:  # type: ignore[no-untyped-def]
    bad = {**REFUND_RULE, "actions": [{"type": "tagg", "tags": ["x"]}]}
    response = client.post("/api/v1/rules", json=bad, headers=tenant.headers())
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert details[0]["path"] == "actions[0].type"
    assert "did you mean 'tag'" in details[0]["message"]


def test_a_rule_naming_another_workspaces_team_is_rejected(client, tenant) -> None:  # type: ignore[no-untyped-def]
    bad = {**REFUND_RULE, "actions": [{"type": "assign_round_robin", "team_id": 999999}]}
    response = client.post("/api/v1/rules", json=bad, headers=tenant.headers())
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["path"] == "actions[0].team_id"


def test_agents_cannot_write_rules(client, tenant) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/api/v1/rules", json=REFUND_RULE, headers=tenant.headers("agent")).status_code == 403


def test_an_incoming_engagement_runs_the_rule_and_history_names_it(client, tenant) -> None:  # type: ignore[no-untyped-def]
    created = client.post("/api/v1/rules", json=REFUND_RULE, headers=tenant.headers())
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]
    [matched, other] = ingest(client, tenant, [engagement(text="返金してください"), engagement(text="ありがとう")])

    detail = client.get(f"/api/v1/tickets/{matched['ticket_id']}", headers=tenant.headers()).json()
    assert "refund" in detail["tags"]
    assert detail["priority"] == "high"
    tagged = [h for h in detail["events"] if h["type"] == "tagged"]
    assert tagged and tagged[0]["actor_type"] == "rule" and tagged[0]["actor_id"] == rule_id
    ran = [h for h in detail["events"] if h["type"] == "rule"]
    assert ran[0]["data"]["rule_name"] == "返金キーワード"
    other_detail = client.get(f"/api/v1/tickets/{other['ticket_id']}", headers=tenant.headers()).json()
    assert "refund" not in other_detail["tags"]

    log = client.get(f"/api/v1/rules/{rule_id}/log", headers=tenant.headers()).json()
    assert {(e["action"], e["result"]) for e in log} == {("tag", "ok"), ("set_priority", "ok")}
    stats = client.get(f"/api/v1/rules/{rule_id}/stats", headers=tenant.headers()).json()
    assert stats["runs"] == 1
    by_tag = client.get("/api/v1/rules/stats?group_by=tag", headers=tenant.headers()).json()
    assert by_tag["items"][0]["tag"] == "refund" and by_tag["items"][0]["count"] == 1


def test_a_failing_action_is_logged_and_the_others_still_run(client, tenant) -> None:  # type: ignore[no-untyped-def]
    rule = {"name": "DM moderation", "actions": [
        {"type": "hide_comment"},  # a DM cannot be hidden: this action fails
        {"type": "tag", "tags": ["seen-by-rule"]},
    ]}
    rule_id = client.post("/api/v1/rules", json=rule, headers=tenant.headers()).json()["id"]
    [item] = ingest(client, tenant, [engagement(kind="dm", thread_id="t-1", text="こんにちは")],
                    channel_id=tenant.dm_channel_id)
    assert item["result"] == "created"
    detail = client.get(f"/api/v1/tickets/{item['ticket_id']}", headers=tenant.headers()).json()
    assert "seen-by-rule" in detail["tags"]
    log = {e["action"]: e for e in client.get(f"/api/v1/rules/{rule_id}/log", headers=tenant.headers()).json()}
    assert log["hide_comment"]["result"] == "error" and "direct messages" in log["hide_comment"]["message"]
    assert log["tag"]["result"] == "ok"


def test_rules_do_not_loop_on_their_own_changes(client, tenant) -> None:  # type: ignore[no-untyped-def]
    # A ticket_updated rule that itself updates the ticket would retrigger forever if allowed.
    rule = {"name": "ping-pong", "trigger": "ticket_updated",
            "actions": [{"type": "add_note", "text": "rule saw an update"}]}
    rule_id = client.post("/api/v1/rules", json=rule, headers=tenant.headers()).json()["id"]
    [item] = ingest(client, tenant, [engagement(text="hello")])
    client.post(f"/api/v1/tickets/{item['ticket_id']}/tags", json={"tags": ["manual"]}, headers=tenant.headers())
    notes = [h for h in _history(client, tenant, item["ticket_id"]) if h["type"] == "note"]
    assert len(notes) == 1
    assert client.get(f"/api/v1/rules/{rule_id}/stats", headers=tenant.headers()).json()["runs"] == 1


def test_disabled_and_reordered_rules(client, tenant) -> None:  # type: ignore[no-untyped-def]
    first = client.post("/api/v1/rules", json={**REFUND_RULE, "stop_processing": True},
                        headers=tenant.headers()).json()
    second = client.post("/api/v1/rules", json={**REFUND_RULE, "name": "second",
                                                 "actions": [{"type": "tag", "tags": ["second"]}]},
                         headers=tenant.headers()).json()
    [item] = ingest(client, tenant, [engagement(text="返金")])
    tags = client.get(f"/api/v1/tickets/{item['ticket_id']}", headers=tenant.headers()).json()["tags"]
    assert "refund" in tags and "second" not in tags  # the first stops further rules

    patched = client.patch(f"/api/v1/rules/{first['id']}", json={"enabled": False}, headers=tenant.headers())
    assert patched.status_code == 200 and patched.json()["enabled"] is False
    reordered = client.post("/api/v1/rules/reorder", json={"rule_ids": [second["id"], first["id"]]},
                            headers=tenant.headers())
    assert [r["id"] for r in reordered.json()] == [second["id"], first["id"]]
    [item] = ingest(client, tenant, [engagement(text="refund please")])
    tags = client.get(f"/api/v1/tickets/{item['ticket_id']}", headers=tenant.headers()).json()["tags"]
    assert tags == ["second"]


def test_dry_run_shows_matches_and_why_without_changing_anything(client, tenant) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    ingest(client, tenant, [engagement(text="返金をお願いします", at=now), engagement(text="素敵な商品", at=now)])
    response = client.post("/api/v1/rules/dry-run", json={"rule": REFUND_RULE, "days": 3}, headers=tenant.headers())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["evaluated"] == 2 and body["matched"] == 1
    match = body["matches"][0]
    assert match["text"] == "返金をお願いします"
    assert "matched: text contains 返金" in match["why"]
    assert match["would"][0].startswith("tag(")
    assert client.get("/api/v1/tickets?tag=refund", headers=tenant.headers()).json()["items"] == []
    assert client.get("/api/v1/rules", headers=tenant.headers()).json() == []


def test_rules_are_scoped_to_their_workspace(client, tenant, database) -> None:  # type: ignore[no-untyped-def]
    from tests.support.factories import make_tenant

    other = make_tenant(database)
    rule_id = client.post("/api/v1/rules", json=REFUND_RULE, headers=tenant.headers()).json()["id"]
    assert client.get(f"/api/v1/rules/{rule_id}", headers=other.headers()).status_code == 404
    [item] = ingest(client, other, [engagement(text="返金")])
    tags = client.get(f"/api/v1/tickets/{item['ticket_id']}", headers=other.headers()).json()["tags"]
    assert "refund" not in tags
