"""The ticket lifecycle: reopen vs gratitude, snooze wake-up, close without reply, first response."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from henshin.db.session import Database
from henshin.kit.time import utc_now
from henshin.models import Ticket
from henshin.workers.timers import wake_due_snoozes
from tests.support.factories import Tenant, engagement, ingest


def dm(tenant: Tenant, client: TestClient, ext: str, text: str, minutes: float = 0) -> dict:
    return ingest(client, tenant, [engagement(ext, text, kind="dm", thread_id="conv", minutes=minutes)],
                  channel_id=tenant.dm_channel_id)[0]


def act(client: TestClient, tenant: Tenant, ticket_id: int, action: str, body: dict | None = None) -> dict:
    response = client.post(f"/api/v1/tickets/{ticket_id}/{action}", json=body, headers=tenant.headers("agent"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_new_message_on_a_closed_ticket_reopens_it_and_counts(client: TestClient, tenant: Tenant) -> None:
    ticket_id = dm(tenant, client, "d1", "注文がまだ届きません")["ticket_id"]
    act(client, tenant, ticket_id, "reply", {"text": "確認いたします。"})
    act(client, tenant, ticket_id, "close")
    result = dm(tenant, client, "d2", "まだ届いていません。どうなっていますか？", minutes=60 * 24)
    assert result["result"] == "reopened" and result["ticket_id"] == ticket_id
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()
    assert ticket["status"] == "open"
    assert ticket["reopen_count"] == 1
    assert ticket["waiting_since"] is not None
    assert [e["type"] for e in ticket["events"]][-2:] == ["reopened", "message"]


def test_a_thank_you_after_our_reply_is_recorded_without_reopening(client: TestClient, tenant: Tenant) -> None:
    ticket_id = dm(tenant, client, "g1", "返金はいつになりますか？")["ticket_id"]
    act(client, tenant, ticket_id, "reply", {"text": "本日手続きいたしました。", "close": True})
    for ext, text in [("g2", "ありがとうございました！"), ("g3", "thanks, all sorted")]:
        result = dm(tenant, client, ext, text, minutes=30)
        assert result["result"] == "gratitude"
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()
    assert ticket["status"] == "closed"
    assert ticket["reopen_count"] == 0
    assert ticket["message_count"] == 3
    assert ticket["events"][-1]["type"] == "gratitude"
    assert any(m["is_gratitude"] for m in ticket["messages"])


def test_thanks_with_a_new_problem_does_reopen(client: TestClient, tenant: Tenant) -> None:
    ticket_id = dm(tenant, client, "h1", "配送状況を教えてください")["ticket_id"]
    act(client, tenant, ticket_id, "reply", {"text": "明日お届け予定です。", "close": True})
    result = dm(tenant, client, "h2", "ありがとうございます。ただ、まだ届いていません", minutes=60)
    assert result["result"] == "reopened"


def test_a_customer_message_wakes_a_snoozed_ticket(client: TestClient, tenant: Tenant) -> None:
    ticket_id = dm(tenant, client, "s1", "在庫を確認してもらえますか")["ticket_id"]
    act(client, tenant, ticket_id, "snooze", {"until": (utc_now() + timedelta(days=2)).isoformat()})
    assert client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()["status"] == "snoozed"
    result = dm(tenant, client, "s2", "追加で質問です", minutes=5)
    assert result["result"] == "appended"
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()
    assert ticket["status"] == "open" and ticket["snooze_until"] is None
    woke = [e for e in ticket["events"] if e["type"] == "woke"]
    assert woke and woke[0]["data"]["reason"] == "customer_message"


def test_a_snoozed_ticket_wakes_when_its_time_comes(client: TestClient, tenant: Tenant, database: Database) -> None:
    ticket_id = ingest(client, tenant, [engagement("w1", "Do you ship to Canada?")])[0]["ticket_id"]
    other_id = ingest(client, tenant, [engagement("w2", "And gift wrap?", author="c2")])[0]["ticket_id"]
    until = (utc_now() + timedelta(hours=1)).isoformat()
    act(client, tenant, ticket_id, "snooze", {"until": until})
    act(client, tenant, other_id, "snooze", {"until": until})
    assert wake_due_snoozes(database) == 0
    with database.unit_of_work() as db:  # an hour passes for the first ticket
        db.execute(update(Ticket).where(Ticket.id == ticket_id).values(snooze_until=utc_now() - timedelta(seconds=1)))
    assert wake_due_snoozes(database) == 1
    statuses = {t: client.get(f"/api/v1/tickets/{t}", headers=tenant.headers()).json()["status"] for t in (ticket_id, other_id)}
    assert statuses == {ticket_id: "open", other_id: "snoozed"}


def test_a_snooze_in_the_past_is_refused(client: TestClient, tenant: Tenant) -> None:
    ticket_id = ingest(client, tenant, [engagement()])[0]["ticket_id"]
    response = client.post(f"/api/v1/tickets/{ticket_id}/snooze", json={"until": "2020-01-01T00:00:00+00:00"},
                           headers=tenant.headers())
    assert response.status_code == 422 and "future" in response.json()["error"]["message"]


def test_closing_needs_no_reply_and_says_so(client: TestClient, tenant: Tenant) -> None:
    ticket_id = ingest(client, tenant, [engagement(text="新作の桜ラテ最高でした☕")])[0]["ticket_id"]
    ticket = act(client, tenant, ticket_id, "close")
    assert ticket["status"] == "closed" and ticket["closed_at"] is not None
    closed = [e for e in ticket["events"] if e["type"] == "closed"][0]
    assert closed["data"]["without_reply"] is True
    assert closed["actor_type"] == "user" and closed["actor_id"] == tenant.agent_id


def test_first_response_is_kept_exactly_once(client: TestClient, tenant: Tenant) -> None:
    ticket_id = ingest(client, tenant, [engagement()])[0]["ticket_id"]
    first = act(client, tenant, ticket_id, "reply", {"text": "ご連絡ありがとうございます。"})
    second = act(client, tenant, ticket_id, "reply", {"text": "追ってご連絡します。"})
    assert first["first_response_at"] is not None
    assert second["first_response_at"] == first["first_response_at"]
    replies = [m for m in second["messages"] if m["type"] == "outbound"]
    assert [r["delivery_state"] for r in replies] == ["queued", "queued"]
    assert second["waiting_since"] is None


def test_a_reply_with_the_same_idempotency_key_is_recorded_once(client: TestClient, tenant: Tenant) -> None:
    ticket_id = ingest(client, tenant, [engagement()])[0]["ticket_id"]
    body = {"text": "確認します", "idempotency_key": "k-123"}
    act(client, tenant, ticket_id, "reply", body)
    ticket = act(client, tenant, ticket_id, "reply", body)
    assert len([m for m in ticket["messages"] if m["type"] == "outbound"]) == 1


def test_every_change_is_in_the_history_with_who_and_when(client: TestClient, tenant: Tenant) -> None:
    ticket_id = ingest(client, tenant, [engagement()])[0]["ticket_id"]
    act(client, tenant, ticket_id, "assign", {"user_id": tenant.agent_id})
    act(client, tenant, ticket_id, "tags", {"tags": ["配送", "Delivery"]})
    act(client, tenant, ticket_id, "untag", {"tags": ["delivery"]})
    act(client, tenant, ticket_id, "priority", {"priority": "high"})
    act(client, tenant, ticket_id, "notes", {"text": f"@{tenant.admin_email} 返金対応お願いします"})
    act(client, tenant, ticket_id, "read")
    act(client, tenant, ticket_id, "unassign")
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()
    types = [e["type"] for e in ticket["events"]]
    assert types == ["created", "assigned", "tagged", "untagged", "priority", "note", "unassigned"]
    assert all(e["actor_id"] == tenant.agent_id for e in ticket["events"][1:])
    assert ticket["tags"] == ["配送"]
    assert ticket["priority"] == "high"
    assert ticket["notes"][0]["mentions"] == [tenant.admin_id]
    assert [r["user_id"] for r in ticket["readers"]] == [tenant.agent_id]


def test_assigning_to_a_stranger_is_refused(client: TestClient, tenant: Tenant) -> None:
    ticket_id = ingest(client, tenant, [engagement()])[0]["ticket_id"]
    response = client.post(f"/api/v1/tickets/{ticket_id}/assign", json={"user_id": 424242}, headers=tenant.headers())
    assert response.status_code == 422 and "not a member" in response.json()["error"]["message"]
