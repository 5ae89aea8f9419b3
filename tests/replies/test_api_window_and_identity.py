"""The composer's messaging-window notice (Messenger/Instagram) and per-channel
self-identification, through the API."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from henshin.db.session import Database
from henshin.kit.time import utc_now
from henshin.models import Membership
from tests.support.factories import Tenant, engagement, ingest, make_tenant


def check(client: TestClient, tenant: Tenant, ticket_id: int, text: str, **extra: object) -> dict:
    response = client.post(f"/api/v1/tickets/{ticket_id}/compose/check", json={"text": text, **extra},
                           headers=tenant.headers("agent"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_instagram_dms_show_whether_the_24_hour_window_is_open(client: TestClient, database: Database) -> None:
    shop = make_tenant(database, network="instagram")
    now = utc_now()
    [recent] = ingest(client, shop, [engagement("ig-1", "サイズ交換できますか？", kind="dm", author="a1",
                                                at=now - timedelta(hours=2))])
    [stale] = ingest(client, shop, [engagement("ig-2", "Is this still in stock?", kind="dm", author="a2",
                                               at=now - timedelta(hours=30))])
    open_window = check(client, shop, recent["ticket_id"], "はい、交換できます。")["messaging_window"]
    assert open_window["open"] is True and "open for" in open_window["explanation"]
    closed = check(client, shop, stale["ticket_id"], "Yes, it is.")["messaging_window"]
    assert closed["open"] is False and closed["human_agent_open"] is True
    assert "24-hour messaging window closed" in closed["explanation"]
    [comment] = ingest(client, shop, [engagement("ig-3", "かわいい！", kind="comment", author="a3")])
    assert check(client, shop, comment["ticket_id"], "ありがとうございます！")["messaging_window"] is None


def test_a_channel_can_require_its_own_prefix_which_is_counted(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    [item] = ingest(client, tenant, [engagement("id-1", "営業時間を教えてください", handle="hanako")])
    plain = check(client, tenant, item["ticket_id"], "10時から20時です。")
    assert plain["prefix"] is None and plain["signature"] is None
    settings = {"composer": {"self_identification": "prefix", "prefix": "{brand_name}の{agent_name}です。"}}
    patched = client.patch(f"/api/v1/channels/{tenant.channel_id}", json={"settings": settings},
                           headers=tenant.headers("admin"))
    assert patched.status_code == 200, patched.text
    named = check(client, tenant, item["ticket_id"], "10時から20時です。")
    assert named["prefix"].endswith("です。") and "の佐藤" in named["prefix"]
    assert named["parts"] == [f"@hanako {named['prefix']}10時から20時です。"]
    assert named["measure"]["used"] > plain["measure"]["used"]
    assert check(client, tenant, item["ticket_id"], "10時から20時です。", identify="none")["prefix"] is None
    # An agent's own signature that starts with a dash is used as a signature instead.
    with database.unit_of_work() as db:
        db.execute(update(Membership).where(Membership.user_id == tenant.agent_id).values(signature="— Sato"))
    client.patch(f"/api/v1/channels/{tenant.channel_id}", json={"settings": {"composer": {"self_identification": "signature"}}},
                 headers=tenant.headers("admin"))
    signed = check(client, tenant, item["ticket_id"], "10時から20時です。")
    assert signed["prefix"] is None and signed["signature"] == "— Sato"
    assert signed["parts"][0].endswith("— Sato")
