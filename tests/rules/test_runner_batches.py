"""Rules run per ingest batch: one unit of work for all, yet each action's failure its own."""

from __future__ import annotations

from sqlalchemy import update

from henshin.models import Contact
from tests.support.factories import engagement, ingest


def _saved_reply(client, tenant, body: str) -> int:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/saved-replies", json={"title": "thanks", "body": body}, headers=tenant.headers())
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _detail(client, tenant, ticket_id: int) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return dict(client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json())


def test_a_failing_action_in_a_batch_blocks_neither_its_rule_nor_the_other_engagements(
    client, tenant, database  # type: ignore[no-untyped-def]
) -> None:
    ingest(client, tenant, [engagement(text="first", author="troll-2")])
    with database.unit_of_work() as db:
        db.execute(update(Contact).where(Contact.external_id == "troll-2").values(labels=["do_not_contact"]))
    reply_id = _saved_reply(client, tenant, "{customer_name}様、ありがとうございます")
    rule = {"name": "thank everyone", "actions": [
        {"type": "auto_reply", "saved_reply_id": reply_id},  # refused for do_not_contact
        {"type": "tag", "tags": ["thanked"]},
    ]}
    rule_id = client.post("/api/v1/rules", json=rule, headers=tenant.headers()).json()["id"]

    items = ingest(client, tenant, [
        engagement(text="こんにちは", author="fan-1"),
        engagement(text="second", author="troll-2"),
        engagement(text="hello", author="fan-2"),
    ])

    for item in items:
        detail = _detail(client, tenant, item["ticket_id"])
        assert "thanked" in detail["tags"]
    outbound = {item["external_id"]: [m for m in _detail(client, tenant, item["ticket_id"])["messages"]
                                      if m["type"] == "outbound"] for item in items}
    assert [len(outbound[item["external_id"]]) for item in items] == [1, 0, 1]
    log = client.get(f"/api/v1/rules/{rule_id}/log", headers=tenant.headers()).json()
    assert sorted((e["action"], e["result"]) for e in log) == [
        ("auto_reply", "error"), ("auto_reply", "ok"), ("auto_reply", "ok"),
        ("tag", "ok"), ("tag", "ok"), ("tag", "ok"),
    ]
    assert client.get(f"/api/v1/rules/{rule_id}/stats", headers=tenant.headers()).json()["runs"] == 3


def test_a_second_message_of_a_thread_in_the_same_batch_sees_what_the_first_one_did(
    client, tenant  # type: ignore[no-untyped-def]
) -> None:
    rule = {"name": "greet once",
            "conditions": {"field": "tags", "op": "has_none", "value": ["greeted"]},
            "actions": [{"type": "tag", "tags": ["greeted"]}, {"type": "add_note", "text": "greeted"}]}
    rule_id = client.post("/api/v1/rules", json=rule, headers=tenant.headers()).json()["id"]
    first, second = ingest(client, tenant, [
        engagement(kind="dm", thread_id="t-batch", text="もしもし"),
        engagement(kind="dm", thread_id="t-batch", text="聞こえますか", minutes=1),
    ], channel_id=tenant.dm_channel_id)
    assert first["ticket_id"] == second["ticket_id"]
    detail = _detail(client, tenant, first["ticket_id"])
    assert [n["text"] for n in detail["notes"]] == ["greeted"]
    assert client.get(f"/api/v1/rules/{rule_id}/stats", headers=tenant.headers()).json()["runs"] == 1


def test_rules_tagging_the_same_ticket_in_one_batch_add_each_tag_once_and_untag_what_they_added(
    client, tenant  # type: ignore[no-untyped-def]
) -> None:
    rules = [
        {"name": "refund words", "actions": [{"type": "tag", "tags": ["返金", "vip"]}]},
        {"name": "refund again", "actions": [{"type": "tag", "tags": ["返金", "urgent"]}]},
        {"name": "not vip after all", "actions": [{"type": "untag", "tags": ["vip", "never-there"]}]},
    ]
    for rule in rules:
        assert client.post("/api/v1/rules", json=rule, headers=tenant.headers()).status_code == 201
    items = ingest(client, tenant, [engagement(text="返金してください"), engagement(text="refund please")])

    for item in items:
        detail = _detail(client, tenant, item["ticket_id"])
        assert sorted(detail["tags"]) == ["urgent", "返金"]
    messages = [e["message"] for rule in client.get("/api/v1/rules", headers=tenant.headers()).json()
                for e in client.get(f"/api/v1/rules/{rule['id']}/log", headers=tenant.headers()).json()]
    assert sorted(messages) == sorted(["tagged 返金, vip", "tagged urgent", "untagged vip"] * 2)
