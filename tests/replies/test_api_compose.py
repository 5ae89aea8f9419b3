"""The composer through the API: counting, splitting, guards, guarded send, undo, drafts."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from henshin.db.session import Database
from henshin.kit.time import utc_now
from henshin.models import Contact, GuardOverride, Membership, OutboundMessage
from tests.support.factories import Tenant, engagement, ingest


def mention(client: TestClient, tenant: Tenant, ext: str, text: str, **kw: object) -> int:
    return int(ingest(client, tenant, [engagement(ext, text, **kw)])[0]["ticket_id"])


def post(client: TestClient, tenant: Tenant, path: str, body: dict, who: str = "agent", status: int = 200) -> dict:
    response = client.post(f"/api/v1{path}", json=body, headers=tenant.headers(who))
    assert response.status_code == status, response.text
    return dict(response.json())


def test_check_counts_as_x_counts_and_previews_a_marked_thread(client: TestClient, tenant: Tenant) -> None:
    ticket_id = mention(client, tenant, "c1", "配送について教えてください", handle="hanako")
    text = "ご連絡ありがとうございます。" + "配送状況を確認いたしました。" * 12
    result = post(client, tenant, f"/tickets/{ticket_id}/compose/check", {"text": text})
    assert result["network"] == "x" and result["kind"] == "reply" and result["handle"] == "@hanako"
    # CJK weighs 2 on X and the @handle counts: 14 + 12*14 characters, plus "@hanako ".
    assert result["measure"]["unit"] == "x_weighted"
    assert result["measure"]["used"] == 2 * (14 + 12 * 14) + 8 and result["measure"]["over"] is True
    assert len(result["parts"]) == 2 and result["needs_confirmation"] is False
    assert result["parts"][0].startswith("@hanako ") and result["parts"][0].endswith("(続きます)")
    assert result["blocked"] is False
    assert not any(f["severity"] == "block" for f in result["findings"])


def test_personal_data_in_public_blocks_until_overridden_with_a_reason(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    ticket_id = mention(client, tenant, "p1", "注文番号を教えたいです")
    text = "お電話 03-1234-5678 までご連絡ください。"
    checked = post(client, tenant, f"/tickets/{ticket_id}/compose/check", {"text": text})
    assert checked["blocked"] is True
    finding = checked["findings"][0]
    assert finding["code"] == "personal_data_public" and finding["suggestion"] == "move_to_private"
    assert text[finding["spans"][0]["start"]:finding["spans"][0]["end"]] == "03-1234-5678"
    assert "電話番号" in finding["message_ja"] and "phone" in finding["message_en"]
    # Privately, the same text is fine.
    private = post(client, tenant, f"/tickets/{ticket_id}/compose/check", {"text": text, "visibility": "private"})
    assert not any(f["code"] == "personal_data_public" for f in private["findings"])

    refused = client.post(f"/api/v1/tickets/{ticket_id}/send", json={"text": text}, headers=tenant.headers("agent"))
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["unresolved"] == ["personal_data_public"]
    blank = client.post(f"/api/v1/tickets/{ticket_id}/send", json={"text": text, "overrides": {"personal_data_public": " "}},
                        headers=tenant.headers("agent"))
    assert blank.status_code == 409
    sent = post(client, tenant, f"/tickets/{ticket_id}/send",
                {"text": text, "overrides": {"personal_data_public": "公式窓口の代表番号です"}, "send_key": "k-1"})
    assert sent["overridden"] == ["personal_data_public"] and len(sent["outbound"]) == 1
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()
    overridden = [e for e in ticket["events"] if e["type"] == "guard_overridden"]
    assert overridden and overridden[0]["data"]["reason"] == "公式窓口の代表番号です"
    with database.sessions() as db:
        rows = db.scalars(select(GuardOverride).where(GuardOverride.ticket_id == ticket_id)).all()
        assert [(r.code, r.user_id) for r in rows] == [("personal_data_public", tenant.agent_id)]


def test_sending_is_held_for_the_undo_window_idempotent_and_undoable(client: TestClient, tenant: Tenant) -> None:
    ticket_id = mention(client, tenant, "u1", "営業時間を教えてください")
    before = utc_now()
    sent = post(client, tenant, f"/tickets/{ticket_id}/send", {"text": "10時から19時まで営業しております。", "send_key": "abc"})
    part = sent["outbound"][0]
    assert part["state"] == "queued" and part["idempotency_key"] == "abc:1"
    from datetime import datetime
    assert datetime.fromisoformat(part["send_after"]) >= before + timedelta(seconds=5)
    again = post(client, tenant, f"/tickets/{ticket_id}/send", {"text": "10時から19時まで営業しております。", "send_key": "abc"})
    assert [o["id"] for o in again["outbound"]] == [part["id"]]
    assert client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()["waiting_since"] is None

    undone = post(client, tenant, f"/outbound/{part['id']}/undo", {})
    assert undone["cancelled"] == [part["id"]]
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=tenant.headers()).json()
    assert ticket["events"][-1]["type"] == "reply_undone"
    assert ticket["waiting_since"] is not None and ticket["first_response_at"] is None
    late = client.post(f"/api/v1/outbound/{part['id']}/undo", headers=tenant.headers("agent"))
    assert late.status_code == 409 and "cancelled" in late.json()["error"]["message"]


def test_a_long_thread_needs_confirmation_and_every_part_is_queued(client: TestClient, tenant: Tenant) -> None:
    ticket_id = mention(client, tenant, "t1", "詳しく教えてください")
    text = "。".join(f"手順{i}として、アプリの設定画面を開いてキャッシュを削除してください" for i in range(12)) + "。"
    refused = client.post(f"/api/v1/tickets/{ticket_id}/send", json={"text": text}, headers=tenant.headers("agent"))
    assert refused.status_code == 409
    details = refused.json()["error"]["details"]
    assert details["reason"] == "needs_confirmation" and len(details["parts"]) > 3
    sent = post(client, tenant, f"/tickets/{ticket_id}/send", {"text": text, "confirm_parts": True, "send_key": "long"})
    parts = sent["outbound"]
    assert len(parts) == len(details["parts"]) and [p["part"] for p in parts] == list(range(1, len(parts) + 1))
    undone = post(client, tenant, f"/outbound/{parts[0]['id']}/undo", {})
    assert sorted(undone["cancelled"]) == sorted(p["id"] for p in parts)


def test_repeating_yourself_and_later_posts_are_shown_across_tickets(client: TestClient, tenant: Tenant) -> None:
    first = mention(client, tenant, "r1", "アプリにログインできません", author="u-9", handle="taro")
    guidance = "アプリを最新版に更新してから、もう一度ログインをお試しください。"
    post(client, tenant, f"/tickets/{first}/send", {"text": guidance})
    second = mention(client, tenant, "r2", "まだログインできないです", author="u-9", handle="taro", minutes=30)
    ingest(client, tenant, [engagement("r3", "自己解決しました！", author="u-9", handle="taro", minutes=40)])
    detail = client.get(f"/api/v1/tickets/{second}", headers=tenant.headers()).json()
    answered = detail["messages"][0]["id"]
    checked = post(client, tenant, f"/tickets/{second}/compose/check",
                   {"text": "アプリを最新版に更新してから、再度ログインをお試しください。", "in_reply_to": answered})
    codes = {f["code"]: f for f in checked["findings"]}
    assert codes["repeated_guidance"]["evidence"][0] == f"@taro {guidance}"
    assert "自己解決しました！" in codes["context_moved_on"]["evidence"]
    assert checked["blocked"] is False


def test_do_not_contact_authors_are_not_contacted_proactively(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    ticket_id = mention(client, tenant, "l1", "このカフェ美味しかった", kind="listening", author="dnc")
    with database.unit_of_work() as db:
        db.execute(update(Contact).where(Contact.workspace_id == tenant.workspace_id,
                                         Contact.external_id == "dnc").values(labels=["do_not_contact"]))
    checked = post(client, tenant, f"/tickets/{ticket_id}/compose/check", {"text": "ありがとうございます！"})
    assert checked["blocked"] is True and checked["findings"][0]["code"] == "do_not_contact"


def test_self_identification_uses_the_agents_signature_unless_turned_off(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    with database.unit_of_work() as db:
        db.execute(update(Membership).where(Membership.user_id == tenant.agent_id)
                   .values(signature="ブランドサポートの佐藤です。"))
    ticket_id = mention(client, tenant, "s1", "質問です", handle="q")
    checked = post(client, tenant, f"/tickets/{ticket_id}/compose/check", {"text": "ご質問ありがとうございます。"})
    assert checked["prefix"] == "ブランドサポートの佐藤です。"
    assert checked["parts"] == ["@q ブランドサポートの佐藤です。ご質問ありがとうございます。"]
    bare = post(client, tenant, f"/tickets/{ticket_id}/compose/check", {"text": "はい。", "identify": "none"})
    assert bare["parts"] == ["@q はい。"]
    put = client.put("/api/v1/composer/settings", json={"self_identification": "none", "undo_seconds": 0},
                     headers=tenant.headers())
    assert put.status_code == 200 and put.json()["undo_seconds"] == 0
    off = post(client, tenant, f"/tickets/{ticket_id}/compose/check", {"text": "はい。"})
    assert off["prefix"] is None and off["undo_seconds"] == 0
    assert client.put("/api/v1/composer/settings", json={"undo_seconds": 3},
                      headers=tenant.headers("agent")).status_code == 403


def test_drafts_are_kept_per_ticket_and_agent_and_cleared_by_sending(client: TestClient, tenant: Tenant) -> None:
    ticket_id = mention(client, tenant, "d1", "返品したいです")
    saved = client.put(f"/api/v1/tickets/{ticket_id}/draft", json={"text": "確認いたします", "visibility": "private"},
                       headers=tenant.headers("agent"))
    assert saved.status_code == 200
    assert client.get(f"/api/v1/tickets/{ticket_id}/draft", headers=tenant.headers("agent")).json()["text"] == "確認いたします"
    assert client.get(f"/api/v1/tickets/{ticket_id}/draft", headers=tenant.headers()).json()["text"] == ""
    post(client, tenant, f"/tickets/{ticket_id}/send", {"text": "確認いたします", "visibility": "private"})
    assert client.get(f"/api/v1/tickets/{ticket_id}/draft", headers=tenant.headers("agent")).json()["text"] == ""


def test_outbound_of_another_workspace_cannot_be_undone(client: TestClient, tenant: Tenant, database: Database) -> None:
    from tests.support.factories import make_tenant

    ticket_id = mention(client, tenant, "w1", "hello")
    sent = post(client, tenant, f"/tickets/{ticket_id}/send", {"text": "Hi there!"})
    other = make_tenant(database)
    response = client.post(f"/api/v1/outbound/{sent['outbound'][0]['id']}/undo", headers=other.headers())
    assert response.status_code == 404
    with database.sessions() as db:
        assert db.get(OutboundMessage, sent["outbound"][0]["id"]).state == "queued"  # type: ignore[union-attr]
