"""The runner's actions: auto-replies from saved replies (never twice), idle rules, guards."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from henshin.kit.time import utc_now
from henshin.models import Contact
from henshin.rules.timers import fire_idle_rules
from tests.support.factories import engagement, ingest


def _saved_reply(client, tenant, body: str) -> int:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/saved-replies", json={"title": "お詫び", "body": body}, headers=tenant.headers())
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_keyword_triggered_private_reply_is_rendered_and_queued_once(client, tenant) -> None:  # type: ignore[no-untyped-def]
    reply_id = _saved_reply(client, tenant, "{customer_name}様、{brand_name}です。DMにて詳細をお送りします。")
    rule = {"name": "キャンペーン応募", "conditions": {"all": [{"field": "text", "op": "contains_any", "value": ["応募"]}]},
            "actions": [{"type": "auto_reply", "saved_reply_id": reply_id, "private": True}]}
    assert client.post("/api/v1/rules", json=rule, headers=tenant.headers()).status_code == 201
    [item] = ingest(client, tenant, [engagement(text="応募します！", handle="hanako", kind="comment")])
    again = ingest(client, tenant, [engagement(external_id=item["external_id"], text="応募します！", kind="comment")])
    assert again[0]["result"] == "duplicate"

    detail = client.get(f"/api/v1/tickets/{item['ticket_id']}", headers=tenant.headers()).json()
    outbound = [m for m in detail["messages"] if m["type"] == "outbound"]
    assert len(outbound) == 1
    assert outbound[0]["text"].startswith("hanako様、Brand ") and outbound[0]["visibility"] == "private"


def test_a_reply_with_a_variable_rules_cannot_fill_is_not_sent(client, tenant) -> None:  # type: ignore[no-untyped-def]
    reply_id = _saved_reply(client, tenant, "こちらからご確認ください: {order_url}")
    rule_id = client.post("/api/v1/rules", headers=tenant.headers(), json={
        "name": "order", "actions": [{"type": "auto_reply", "saved_reply_id": reply_id}]}).json()["id"]
    [item] = ingest(client, tenant, [engagement(text="注文はどこ？")])
    detail = client.get(f"/api/v1/tickets/{item['ticket_id']}", headers=tenant.headers()).json()
    assert not [m for m in detail["messages"] if m["type"] == "outbound"]
    [entry] = client.get(f"/api/v1/rules/{rule_id}/log", headers=tenant.headers()).json()
    assert entry["result"] == "error" and "order_url" in entry["message"]


def test_do_not_contact_customers_get_no_automatic_reply(client, tenant, database) -> None:  # type: ignore[no-untyped-def]
    reply_id = _saved_reply(client, tenant, "ありがとうございます")
    client.post("/api/v1/rules", headers=tenant.headers(), json={
        "name": "thanks", "actions": [{"type": "auto_reply", "saved_reply_id": reply_id}]})
    ingest(client, tenant, [engagement(text="first", author="troll-1")])
    with database.unit_of_work() as db:
        db.execute(update(Contact).where(Contact.external_id == "troll-1").values(labels=["do_not_contact"]))
    [item] = ingest(client, tenant, [engagement(text="second", author="troll-1")])
    detail = client.get(f"/api/v1/tickets/{item['ticket_id']}", headers=tenant.headers()).json()
    assert not [m for m in detail["messages"] if m["type"] == "outbound"]


def test_idle_rules_fire_once_per_idle_period(client, tenant, database) -> None:  # type: ignore[no-untyped-def]
    rule = {"name": "放置チケット", "trigger": "ticket_idle", "idle_minutes": 60,
            "actions": [{"type": "set_priority", "priority": "high"}, {"type": "add_note", "text": "1時間放置"}]}
    assert client.post("/api/v1/rules", json=rule, headers=tenant.headers()).status_code == 201
    now = utc_now()
    [item] = ingest(client, tenant, [engagement(text="待っています", at=now - timedelta(minutes=30))])
    assert fire_idle_rules(database, now=now) == 0  # idle for 30 minutes only
    assert fire_idle_rules(database, now=now + timedelta(minutes=45)) == 1
    assert fire_idle_rules(database, now=now + timedelta(minutes=90)) == 0  # same idle period
    detail = client.get(f"/api/v1/tickets/{item['ticket_id']}", headers=tenant.headers()).json()
    assert detail["priority"] == "high"
    assert [n["text"] for n in detail["notes"]] == ["1時間放置"]
