"""Routing through the API: round robin, capacity, shifts, availability, pulling the oldest ticket."""

from __future__ import annotations

from typing import Any

from henshin.db.session import Database
from henshin.models.workspace import Role
from henshin.workspaces.actions import do_add_member, do_create_team, do_create_user
from tests.support.factories import Tenant, engagement, ingest

NEVER_ON_SHIFT = {"timezone": "Asia/Tokyo", "week": {}, "holiday_country": None}


def _team(database: Database, tenant: Tenant, names: list[str]) -> tuple[int, list[int]]:
    with database.unit_of_work() as db:
        from henshin.workspaces import repository as ws_repo

        workspace = ws_repo.workspace_by_id(db, tenant.workspace_id)
        users = []
        for name in names:
            user = do_create_user(db, email=f"{name.lower()}-{tenant.slug}@example.jp", name=name, password=None)
            do_add_member(db, workspace=workspace, user=user, role=Role.AGENT)
            users.append(user.id)
        team = do_create_team(db, workspace_id=tenant.workspace_id, name=f"Team {tenant.slug}", member_ids=users)
        return team.id, users


def _assign(client, tenant, ticket_id: int, team_id: int, strategy: str = "round_robin") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.post(f"/api/v1/tickets/{ticket_id}/auto-assign",
                           json={"team_id": team_id, "strategy": strategy}, headers=tenant.headers())
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_round_robin_skips_away_off_shift_and_full_agents_and_explains(client, tenant, database) -> None:  # type: ignore[no-untyped-def]
    team_id, (sato, suzuki, tanaka, ito) = _team(database, tenant, ["佐藤", "鈴木", "田中", "伊藤"])
    h = tenant.headers()
    assert client.put("/api/v1/routing/availability", json={"user_id": suzuki, "availability": "away"},
                      headers=h).status_code == 200
    assert client.put(f"/api/v1/routing/agents/{tanaka}", json={"shift": NEVER_ON_SHIFT}, headers=h).status_code == 200
    assert client.put(f"/api/v1/routing/agents/{ito}", json={"max_open_tickets": 0}, headers=h).status_code == 200
    items = ingest(client, tenant, [engagement(text=f"質問 {i}") for i in range(3)])
    assignees = [_assign(client, tenant, item["ticket_id"], team_id)["assignee_user_id"] for item in items]
    assert assignees == [sato, sato, sato]  # the only one available, every time

    detail = client.get(f"/api/v1/tickets/{items[0]['ticket_id']}", headers=h).json()
    [assigned] = [e for e in detail["events"] if e["type"] == "assigned"]
    assert assigned["data"]["reason"].startswith("assigned to 佐藤 by round robin in Team")
    assert "on shift" in assigned["data"]["reason"]

    agents = {a["user_id"]: a for a in client.get("/api/v1/routing/agents", headers=h).json()}
    assert agents[suzuki]["unavailable_because"] == "away"
    assert agents[tanaka]["unavailable_because"] == "off shift"
    assert agents[ito]["unavailable_because"].startswith("at capacity")


def test_round_robin_takes_turns(client, tenant, database) -> None:  # type: ignore[no-untyped-def]
    team_id, (a, b) = _team(database, tenant, ["Aoi", "Ben"])
    items = ingest(client, tenant, [engagement(text=f"q{i}") for i in range(4)])
    assert [_assign(client, tenant, i["ticket_id"], team_id)["assignee_user_id"] for i in items] == [a, b, a, b]


def test_least_loaded_and_skill_based(client, tenant, database) -> None:  # type: ignore[no-untyped-def]
    team_id, (busy, idle) = _team(database, tenant, ["Busy", "Idle"])
    h = tenant.headers()
    first, second = ingest(client, tenant, [engagement(text="one"), engagement(text="two")])
    client.post(f"/api/v1/tickets/{first['ticket_id']}/assign", json={"user_id": busy}, headers=h)
    assert _assign(client, tenant, second["ticket_id"], team_id, "least_loaded")["assignee_user_id"] == idle

    client.put(f"/api/v1/routing/agents/{busy}", json={"skills": {"languages": ["en"]}}, headers=h)
    client.put(f"/api/v1/routing/agents/{idle}", json={"skills": {"languages": ["ja"]}}, headers=h)
    [english] = ingest(client, tenant, [engagement(text="My order has not arrived yet, please help")])
    detail = _assign(client, tenant, english["ticket_id"], team_id, "skill_based")
    assert detail["assignee_user_id"] == busy
    reason = [e for e in detail["events"] if e["type"] == "assigned"][-1]["data"]["reason"]
    assert "skill en" in reason


def test_nobody_available_leaves_it_in_the_team_queue_and_the_first_to_come_online_gets_the_oldest(  # type: ignore[no-untyped-def]
    client, tenant, database
) -> None:
    team_id, (agent,) = _team(database, tenant, ["山田"])
    h = tenant.headers()
    client.put("/api/v1/routing/availability", json={"user_id": agent, "availability": "offline"}, headers=h)
    old, new = ingest(client, tenant, [engagement(text="古い", minutes=0), engagement(text="新しい", minutes=5)])
    for item in (new, old):
        detail = _assign(client, tenant, item["ticket_id"], team_id)
        assert detail["assignee_user_id"] is None and detail["assignee_team_id"] == team_id
    came_online = client.put("/api/v1/routing/availability", json={"user_id": agent, "availability": "online"},
                             headers=h).json()
    assert came_online["assigned_ticket_ids"] == [old["ticket_id"]]  # oldest waiting first, one at a time

    client.post(f"/api/v1/tickets/{old['ticket_id']}/close", headers=h)  # frees up: pulls the next
    assert client.get(f"/api/v1/tickets/{new['ticket_id']}", headers=h).json()["assignee_user_id"] == agent


def test_bad_routing_input_says_what_is_wrong(client, tenant) -> None:  # type: ignore[no-untyped-def]
    h = tenant.headers()
    bad = client.put("/api/v1/routing/availability", json={"availability": "busy"}, headers=h)
    assert bad.status_code == 422 and "online, away, offline" in bad.json()["error"]["message"]
    shift = client.put(f"/api/v1/routing/agents/{tenant.agent_id}",
                       json={"shift": {"timezone": "Asia/Tokyo", "week": {"mon": [["09:00", "25:00"]]}}}, headers=h)
    assert shift.status_code == 422 and "25:00" in shift.json()["error"]["message"]
