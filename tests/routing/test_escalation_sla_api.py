"""Escalation with hand-off notes, SLA due times, pauses, warnings and breaches feeding rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from henshin.routing.timers import raise_sla_alerts
from tests.support.factories import engagement, ingest


def test_escalation_needs_a_note_moves_the_ticket_and_deescalation_is_recorded(client, tenant) -> None:  # type: ignore[no-untyped-def]
    h = tenant.headers()
    config = client.put("/api/v1/routing/escalation",
                        json={"L3": {"team_id": tenant.team_id, "strategy": "least_loaded"}}, headers=h)
    assert config.status_code == 200, config.text
    [item] = ingest(client, tenant, [engagement(text="二重に請求されています")])
    ticket_id = item["ticket_id"]
    no_note = client.post(f"/api/v1/tickets/{ticket_id}/escalate", json={"level": "L3", "note": ""}, headers=h)
    assert no_note.status_code == 422
    bad_level = client.post(f"/api/v1/tickets/{ticket_id}/escalate", json={"level": "L9", "note": "x"}, headers=h)
    assert bad_level.status_code == 422 and "L1, L2, L3" in bad_level.json()["error"]["message"]

    detail = client.post(f"/api/v1/tickets/{ticket_id}/escalate", headers=h, json={
        "level": "L3", "note": "二重請求の疑い", "steps_taken": "注文履歴を確認", "customer_said": "2回引き落とされた"}).json()
    assert detail["escalation_level"] == "L3"
    assert detail["assignee_user_id"] == tenant.agent_id  # the only member of the level's team
    assert "二重請求の疑い" in detail["notes"][-1]["text"] and "注文履歴を確認" in detail["notes"][-1]["text"]
    assert [e for e in detail["events"] if e["type"] == "escalated"][0]["data"]["level"] == "L3"
    listed = client.get("/api/v1/tickets?escalation_level=L3", headers=h).json()["items"]
    assert [t["id"] for t in listed] == [ticket_id]

    back = client.post(f"/api/v1/tickets/{ticket_id}/deescalate", json={"note": "返金済み", "level": "L1"}, headers=h)
    assert back.status_code == 200 and back.json()["escalation_level"] == "L1"
    assert [e for e in back.json()["events"] if e["type"] == "deescalated"][0]["data"]["previous"] == "L3"


def test_sla_due_times_pause_while_snoozed_and_breaches_trigger_rules(client, tenant, database) -> None:  # type: ignore[no-untyped-def]
    h = tenant.headers()
    bad = client.post("/api/v1/sla/policies", json={"name": "x", "first_response_minutes": -5}, headers=h)
    assert bad.status_code == 422 and "first_response_minutes" in bad.json()["error"]["message"]
    policy = client.post("/api/v1/sla/policies", headers=h, json={
        "name": "標準", "first_response_minutes": 60, "resolution_minutes": 24 * 60, "warn_before_minutes": 10})
    assert policy.status_code == 201, policy.text
    rule = {"name": "SLA 違反", "trigger": "sla_breached",
            "actions": [{"type": "set_priority", "priority": "urgent"}, {"type": "tag", "tags": ["sla-breach"]}]}
    assert client.post("/api/v1/rules", json=rule, headers=h).status_code == 201

    created = datetime.now(UTC).replace(microsecond=0)
    [item] = ingest(client, tenant, [engagement(text="まだですか", at=created)])
    ticket_id = item["ticket_id"]
    detail = client.get(f"/api/v1/tickets/{ticket_id}", headers=h).json()
    due = datetime.fromisoformat(detail["sla_first_response_due_at"])
    assert due == created + timedelta(minutes=60)

    client.post(f"/api/v1/tickets/{ticket_id}/snooze", json={"until": (created + timedelta(days=1)).isoformat()},
                headers=h)
    assert client.get(f"/api/v1/tickets/{ticket_id}", headers=h).json()["sla_first_response_due_at"] is None
    ingest(client, tenant, [engagement(text="まだ？", thread_id=None, parent=item["external_id"], at=created)])

    woke = client.get(f"/api/v1/tickets/{ticket_id}", headers=h).json()
    assert woke["status"] == "open" and woke["sla_first_response_due_at"] is not None

    assert raise_sla_alerts(database, now=created + timedelta(minutes=55)) >= 1  # warning
    assert raise_sla_alerts(database, now=created + timedelta(hours=3)) >= 1  # breach
    assert raise_sla_alerts(database, now=created + timedelta(hours=3)) == 0  # raised once
    detail = client.get(f"/api/v1/tickets/{ticket_id}", headers=h).json()
    states = [(e["data"]["target"], e["data"]["state"]) for e in detail["events"] if e["type"] == "sla"]
    assert ("first_response", "warning") in states and ("first_response", "breached") in states
    assert detail["priority"] == "urgent" and "sla-breach" in detail["tags"]
