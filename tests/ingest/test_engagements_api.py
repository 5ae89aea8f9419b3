"""POST /api/v1/engagements: one engagement = one ticket, idempotent, threaded, all-or-nothing."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from henshin.db.session import Database
from henshin.models import Engagement, Ticket
from tests.support.factories import Tenant, engagement, ingest


def count(database: Database, model: type) -> int:
    with database.sessions() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_each_engagement_becomes_one_ticket(client: TestClient, tenant: Tenant, database: Database) -> None:
    items = [engagement(text="営業時間は何時までですか？"), engagement(text="Love the new cafe!", author="c2")]
    results = ingest(client, tenant, items)
    assert [r["result"] for r in results] == ["created", "created"]
    assert len({r["ticket_id"] for r in results}) == 2
    assert count(database, Ticket) == 2
    ticket = client.get(f"/api/v1/tickets/{results[0]['ticket_id']}", headers=tenant.headers()).json()
    assert ticket["status"] == "open"
    assert ticket["messages"][0]["text"] == "営業時間は何時までですか？"
    assert ticket["contact"]["handle"] == "cust-1"
    assert ticket["events"][0]["type"] == "created"


def test_same_batch_twice_is_the_same_tickets(client: TestClient, tenant: Tenant, database: Database) -> None:
    items = [engagement("a-1"), engagement("a-2", author="c2"), engagement("a-3", kind="dm", thread_id="t9")]
    first = ingest(client, tenant, items)
    second = ingest(client, tenant, items)
    assert [r["result"] for r in second] == ["duplicate"] * 3
    assert [r["ticket_id"] for r in second] == [r["ticket_id"] for r in first]
    assert count(database, Engagement) == 3


def test_duplicates_inside_one_batch_are_stored_once(client: TestClient, tenant: Tenant, database: Database) -> None:
    results = ingest(client, tenant, [engagement("dup"), engagement("dup")])
    assert [r["result"] for r in results] == ["created", "duplicate"]
    assert count(database, Ticket) == 1


def test_concurrent_deliveries_yield_the_same_tickets(client: TestClient, tenant: Tenant, database: Database) -> None:
    items = [engagement(f"c-{i}", author=f"cust-{i % 7}") for i in range(60)]
    items += [engagement(f"dm-{i}", kind="dm", thread_id="conv-1", minutes=i) for i in range(5)]
    outcomes: list[list[dict]] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            outcomes.append(ingest(client, tenant, items))
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert count(database, Engagement) == 65
    assert count(database, Ticket) == 61  # 60 mentions + 1 DM conversation
    ticket_ids = {tuple(r["ticket_id"] for r in outcome) for outcome in outcomes}
    assert len(ticket_ids) == 1, "every delivery must report the same tickets"


def test_dm_conversation_threads_into_one_ticket_in_the_order_written(client: TestClient, tenant: Tenant) -> None:
    later = engagement("m-3", "3番目", kind="dm", thread_id="conv", minutes=3)
    first = engagement("m-1", "1番目", kind="dm", thread_id="conv", minutes=1)
    results = ingest(client, tenant, [later, first], channel_id=tenant.dm_channel_id)
    assert {r["result"] for r in results} == {"created", "appended"}
    assert results[1]["result"] == "created", "the earliest message opens the ticket"
    more = ingest(client, tenant, [engagement("m-2", "2番目", kind="dm", thread_id="conv", minutes=2)],
                  channel_id=tenant.dm_channel_id)
    assert more[0]["result"] == "appended"
    ticket = client.get(f"/api/v1/tickets/{more[0]['ticket_id']}", headers=tenant.headers()).json()
    assert [m["text"] for m in ticket["messages"]] == ["1番目", "2番目", "3番目"]
    assert ticket["message_count"] == 3


def test_a_reply_to_our_answer_continues_the_ticket_but_a_stranger_opens_a_new_one(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    created = ingest(client, tenant, [engagement("p-1", "Is the hojicha set in stock?", author="amy")])[0]
    follow = ingest(client, tenant, [engagement("p-2", "And in Osaka?", author="amy", parent="p-1", kind="reply", minutes=5)])[0]
    stranger = ingest(client, tenant, [engagement("p-3", "me too", author="bob", parent="p-1", kind="reply", minutes=6)])[0]
    assert follow["result"] == "appended" and follow["ticket_id"] == created["ticket_id"]
    assert stranger["result"] == "created" and stranger["ticket_id"] != created["ticket_id"]


def test_malformed_items_are_rejected_with_a_clear_message_and_nothing_is_stored(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    good = engagement("ok-1")
    naive = engagement("bad-1")
    naive["created_at"] = "2026-11-20T10:00:00"
    response = client.post("/api/v1/engagements", json={"channel_id": tenant.channel_id, "engagements": [good, naive]},
                           headers=tenant.headers())
    assert response.status_code == 422
    assert "engagements.1.created_at" in response.json()["error"]["message"]
    assert "timezone" in response.json()["error"]["message"]
    unknown_kind = engagement("bad-2", kind="tweet")
    response = client.post("/api/v1/engagements", json={"channel_id": tenant.channel_id, "engagements": [unknown_kind]},
                           headers=tenant.headers())
    assert response.status_code == 422 and "kind" in response.json()["error"]["message"]
    response = client.post("/api/v1/engagements", json={"channel_id": tenant.channel_id, "engagements": []},
                           headers=tenant.headers())
    assert response.status_code == 422
    response = client.post("/api/v1/engagements", content=b"{not json", headers={**tenant.headers(), "content-type": "application/json"})
    assert response.status_code == 422
    assert count(database, Engagement) == 0


def test_an_unknown_channel_is_not_found(client: TestClient, tenant: Tenant) -> None:
    response = client.post("/api/v1/engagements", json={"channel_id": 99999, "engagements": [engagement()]},
                           headers=tenant.headers())
    assert response.status_code == 404
    assert "channel 99999" in response.json()["error"]["message"]


def test_a_network_mismatch_is_refused(client: TestClient, tenant: Tenant) -> None:
    item = engagement(network="instagram")
    response = client.post("/api/v1/engagements", json={"channel_id": tenant.channel_id, "engagements": [item]},
                           headers=tenant.headers())
    assert response.status_code == 422
    assert "instagram" in response.json()["error"]["message"]


def test_the_raw_payload_and_analysis_are_kept(client: TestClient, tenant: Tenant, database: Database) -> None:
    raw = {"data": {"id": "1460323737035677698", "text": "クレジットカードで二重請求されています！"}}
    result = ingest(client, tenant, [engagement("raw-1", "クレジットカードで二重請求されています！", raw=raw)])[0]
    with database.sessions() as db:
        row = db.scalar(select(Engagement).where(Engagement.id == result["engagement_id"]))
        assert row is not None and row.raw == raw
        assert row.analysis is not None and row.analysis["language"] == "ja"
    ticket = client.get(f"/api/v1/tickets/{result['ticket_id']}", headers=tenant.headers()).json()
    assert ticket["language"] == "ja"
    assert ticket["priority"] == "urgent", "double billing is an L3 matter and jumps the queue"
