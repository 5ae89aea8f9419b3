"""Reports through the API: exact first response, business hours, reopens, filters, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.routing.hours import WeeklySchedule
from tests.reports.conftest import Replay
from tests.support.factories import BASE_TIME, Tenant, engagement, ingest

T0 = BASE_TIME  # Friday 2026-11-20 10:00 in Tokyo


def report(client: TestClient, tenant: Tenant, metric: str, who: str = "admin", **params: object) -> dict:
    response = client.get(f"/api/v1/reports/{metric}", params=params, headers=tenant.headers(who))
    assert response.status_code == 200, response.text
    return dict(response.json())


def three_tickets(client: TestClient, tenant: Tenant) -> list[int]:
    items = [engagement(f"m{i}", text, author=f"c{i}", at=T0) for i, text in
             enumerate(["注文した本がまだ届きません", "Where is my refund?", "返品の方法を教えてください"])]
    return [r["ticket_id"] for r in ingest(client, tenant, items)]


def test_first_response_time_counts_people_and_reports_auto_replies_apart(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    a, b, c = three_tickets(client, tenant)
    replay = Replay(database)
    replay.reply(c, T0 + timedelta(minutes=1), rule_id=7)  # an auto-reply is not a first response
    replay.reply(a, T0 + timedelta(minutes=10), user_id=tenant.agent_id)
    replay.reply(b, T0 + timedelta(minutes=30), user_id=tenant.admin_id)
    replay.reply(a, T0 + timedelta(minutes=50), user_id=tenant.agent_id)

    total = report(client, tenant, "first-response-time", **{"from": "2026-11-20", "to": "2026-11-20"})["total"]
    values = total["values"]
    assert values["tickets"] == 3 and values["responded"] == 2 and values["unanswered"] == 1
    assert values["calendar"] == {"count": 2, "mean": 1200.0, "median": 1200.0, "p90": 1680.0}
    assert values["automatic"]["median"] == 60.0

    by_agent = report(client, tenant, "first-response-time", group_by="agent")["groups"]
    medians = {g["key"]: g["values"]["calendar"]["median"] for g in by_agent}
    assert medians == {tenant.agent_id: 600.0, tenant.admin_id: 1800.0, None: None}

    # Outside the range: nothing.
    empty = report(client, tenant, "first-response-time", **{"from": "2026-11-21"})["total"]["values"]
    assert empty["tickets"] == 0 and empty["calendar"]["median"] is None


def test_a_workspace_may_count_auto_replies_as_first_response(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    replay = Replay(database)
    replay.set_workspace(tenant.workspace_id, settings={"reports": {"auto_reply_counts_as_first_response": True}})
    a, b, c = three_tickets(client, tenant)
    replay.reply(c, T0 + timedelta(minutes=1), rule_id=7)
    values = report(client, tenant, "first-response-time")["total"]["values"]
    assert values["responded"] == 1 and values["calendar"]["median"] == 60.0


def test_business_hours_skip_nights_weekends_and_japanese_holidays(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    replay = Replay(database)
    schedule = WeeklySchedule.weekdays([("09:00", "18:00")], timezone="Asia/Tokyo")
    replay.set_workspace(tenant.workspace_id, business_hours=schedule.to_json())
    friday_1750 = datetime(2026, 11, 20, 8, 50, tzinfo=UTC)  # 17:50 JST
    ticket = ingest(client, tenant, [engagement("late", "返金について", at=friday_1750)])[0]["ticket_id"]
    # Monday 23 November is 勤労感謝の日, a holiday: the answer on Tuesday 09:10 took 20 open minutes.
    tuesday_0910 = datetime(2026, 11, 24, 0, 10, tzinfo=UTC)
    replay.reply(ticket, tuesday_0910, user_id=tenant.agent_id)
    replay.close(ticket, tuesday_0910 + timedelta(hours=1), user_id=tenant.agent_id)

    first = report(client, tenant, "first-response-time")["total"]["values"]
    assert first["business"]["median"] == 20 * 60
    assert first["calendar"]["median"] == (tuesday_0910 - friday_1750).total_seconds()
    close = report(client, tenant, "close-time")["total"]["values"]
    assert close["closed"] == 1 and close["business"]["median"] == 80 * 60


def test_reopens_exclude_a_plain_thank_you_and_next_response_is_measured(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    replay = Replay(database)

    def dm(ext: str, text: str, minutes: float) -> dict:
        return ingest(client, tenant, [engagement(ext, text, kind="dm", thread_id="conv", at=T0, minutes=minutes)],
                      channel_id=tenant.dm_channel_id)[0]

    ticket = dm("d1", "注文がまだ届きません", 0)["ticket_id"]
    replay.reply(ticket, T0 + timedelta(minutes=5), user_id=tenant.agent_id)
    replay.close(ticket, T0 + timedelta(minutes=6), user_id=tenant.agent_id)
    assert dm("d2", "ありがとうございました！", 10)["result"] == "gratitude"
    values = report(client, tenant, "reopens")["total"]["values"]
    assert values["reopens"] == 0 and values["gratitude_messages"] == 1 and values["reopen_rate"] == 0.0

    assert dm("d3", "やはりまだ届いていません", 60)["result"] == "reopened"
    replay.reply(ticket, T0 + timedelta(minutes=75), user_id=tenant.agent_id)
    values = report(client, tenant, "reopens")["total"]["values"]
    assert values["reopens"] == 1 and values["reopened_tickets"] == 1 and values["reopen_rate"] == 1.0
    nxt = report(client, tenant, "next-response-time")["total"]["values"]
    assert nxt["responses"] == 1 and nxt["calendar"]["median"] == 15 * 60
    # Reopened and not closed again: no close time.
    assert report(client, tenant, "close-time")["total"]["values"]["closed"] == 0


def test_filters_by_several_tags_and_drills_down_to_the_tickets(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    a, b, c = three_tickets(client, tenant)
    for ticket, tags in ((a, ["配送", "vip"]), (b, ["配送"]), (c, ["返品"])):
        r = client.post(f"/api/v1/tickets/{ticket}/tags", json={"tags": tags}, headers=tenant.headers())
        assert r.status_code == 200
    volume = report(client, tenant, "volume", group_by="tag")
    assert {g["key"]: g["values"]["tickets"] for g in volume["groups"]} == {"配送": 2, "vip": 1, "返品": 1}
    assert volume["total"]["values"]["tickets"] == 3
    both = report(client, tenant, "volume", tag=["配送", "vip"])["total"]["values"]
    assert both["tickets"] == 1

    page = client.get("/api/v1/reports/tickets", params={"tag": ["配送"]}, headers=tenant.headers()).json()
    assert sorted(i["ticket_id"] for i in page["items"]) == sorted([a, b])
    assert all("配送" in i["tags"] for i in page["items"])


def test_heatmap_cells_and_csv_exports(client: TestClient, tenant: Tenant, database: Database) -> None:
    a, b, c = three_tickets(client, tenant)
    Replay(database).reply(a, T0 + timedelta(minutes=3), user_id=tenant.agent_id)
    by_hour = report(client, tenant, "volume", group_by="hour")["groups"]
    assert [(g["key"], g["values"]["tickets"]) for g in by_hour] == [(10, 3)]  # 10:00 in Tokyo
    by_weekday = report(client, tenant, "volume", group_by="weekday")["groups"]
    assert [(g["key"], g["label"]) for g in by_weekday] == [(4, "Fri")]

    text = client.get("/api/v1/reports/tickets", params={"format": "csv"}, headers=tenant.headers()).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    answered = next(r for r in rows if r["ticket_id"] == str(a))
    assert float(answered["first_response_seconds"]) == 180.0 and answered["first_response_by"] == str(tenant.agent_id)

    aggregate = client.get("/api/v1/reports/first-response-time",
                           params={"format": "csv", "group_by": "network"}, headers=tenant.headers())
    assert aggregate.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(aggregate.text)))
    assert lines[0][:3] == ["group", "label", "tickets"] and lines[1][0] == "x"


def test_agents_see_their_own_figures_and_bad_input_is_explained(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    a, b, _c = three_tickets(client, tenant)
    replay = Replay(database)
    replay.reply(a, T0 + timedelta(minutes=4), user_id=tenant.agent_id)
    replay.reply(b, T0 + timedelta(minutes=8), user_id=tenant.admin_id)
    mine = report(client, tenant, "first-response-time", who="agent")["total"]["values"]
    assert mine["tickets"] == 1 and mine["calendar"]["median"] == 240.0

    bad = client.get("/api/v1/reports/speed", headers=tenant.headers())
    assert bad.status_code == 422 and "first-response-time" in bad.json()["error"]["message"]
    bad = client.get("/api/v1/reports/volume", params={"group_by": "colour"}, headers=tenant.headers())
    assert bad.status_code == 422 and "group_by" in bad.json()["error"]["message"]
    bad = client.get("/api/v1/reports/volume", params={"from": "20-11-2026"}, headers=tenant.headers())
    assert bad.status_code == 422 and "from" in bad.json()["error"]["message"]
    assert client.get("/api/v1/reports/volume").status_code == 401


def test_handled_counts_closes_without_reply_and_replies_by_whom(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    a, b, c = three_tickets(client, tenant)
    replay = Replay(database)
    replay.reply(a, T0 + timedelta(minutes=5), user_id=tenant.agent_id)
    replay.reply(a, T0 + timedelta(minutes=6), user_id=tenant.agent_id)
    replay.close(a, T0 + timedelta(minutes=7), user_id=tenant.agent_id)
    replay.close(b, T0 + timedelta(minutes=8), user_id=tenant.admin_id)  # read it: closed without reply
    handled = report(client, tenant, "handled", group_by="agent")
    assert handled["total"]["values"] == {"closed": 2, "closed_without_reply": 1, "replies": 2}
    groups = {g["key"]: g["values"] for g in handled["groups"]}
    assert groups[tenant.agent_id] == {"closed": 1, "closed_without_reply": 0, "replies": 2}
    assert groups[tenant.admin_id] == {"closed": 1, "closed_without_reply": 1, "replies": 0}


def test_handled_filtered_to_one_agent_or_tag_counts_the_replies_on_their_tickets_only(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    from henshin.events.bus import Actor

    a, b, c = three_tickets(client, tenant)
    replay = Replay(database)
    replay.do(a, "do_assign", actor=Actor.user(tenant.admin_id), user_id=tenant.agent_id, team_id=None)
    replay.do(b, "do_assign", actor=Actor.user(tenant.admin_id), user_id=tenant.admin_id, team_id=None)
    replay.do(b, "do_tag", actor=Actor.user(tenant.admin_id), tags=["返金"])
    replay.reply(a, T0 + timedelta(minutes=5), user_id=tenant.agent_id)
    replay.reply(a, T0 + timedelta(days=1), user_id=tenant.admin_id)  # the next day, by a teammate
    replay.reply(b, T0 + timedelta(minutes=6), user_id=tenant.admin_id)
    replay.reply(c, T0 + timedelta(minutes=7), user_id=tenant.admin_id)
    window = {"from": "2026-11-20", "to": "2026-11-22"}

    mine = report(client, tenant, "handled", agent_id=tenant.agent_id, **window)
    assert mine["total"]["values"]["replies"] == 2
    for group, expected in [("agent", {tenant.agent_id: 1, tenant.admin_id: 1}),
                            ("day", {"2026-11-20": 1, "2026-11-21": 1}), ("network", {"x": 2})]:
        groups = report(client, tenant, "handled", agent_id=tenant.agent_id, group_by=group, **window)["groups"]
        assert {g["key"]: g["values"]["replies"] for g in groups if g["values"]["replies"]} == expected, group
    tagged = report(client, tenant, "handled", tag="返金", group_by="agent", **window)
    assert tagged["total"]["values"]["replies"] == 1
    assert {g["key"]: g["values"]["replies"] for g in tagged["groups"] if g["values"]["replies"]} == {
        tenant.admin_id: 1}


def test_sla_within_target_and_breaches_by_agent(client: TestClient, tenant: Tenant, database: Database) -> None:
    from henshin.events.bus import Actor
    from henshin.events.names import HistoryType
    from henshin.models import Ticket
    from henshin.tickets.history import record_change

    a, b, c = three_tickets(client, tenant)
    with database.unit_of_work() as db:  # as the SLA policy does when a ticket arrives
        for ticket_id in (a, b, c):
            ticket = db.get(Ticket, ticket_id)
            assert ticket is not None
            ticket.sla_first_response_due_at = T0 + timedelta(minutes=15)
            ticket.sla_resolution_due_at = T0 + timedelta(hours=4)
            record_change(db, ticket, HistoryType.SLA, Actor.system("sla"), {"policy": "standard"})
    replay = Replay(database)
    replay.reply(a, T0 + timedelta(minutes=10), user_id=tenant.agent_id)  # met
    replay.reply(b, T0 + timedelta(minutes=40), user_id=tenant.admin_id)  # breached
    replay.close(a, T0 + timedelta(hours=1), user_id=tenant.agent_id)  # resolution met
    # c: no answer, and its due time is long past: a breach.
    sla = report(client, tenant, "sla", group_by="agent")
    first = sla["total"]["values"]["first_response"]
    assert first == {"with_target": 3, "met": 1, "breached": 2, "pending": 0, "within_rate": round(1 / 3, 4)}
    resolution = sla["total"]["values"]["resolution"]
    assert resolution["met"] == 1 and resolution["breached"] == 2
    groups = {g["key"]: g["values"]["first_response"]["breached"] for g in sla["groups"]}
    assert groups == {tenant.agent_id: 0, tenant.admin_id: 1, None: 1}
