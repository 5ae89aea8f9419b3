"""The /settings page through HTTP: each form, its role check, CSRF, and problems shown next to fields."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.models.workspace import Role
from henshin.workspaces import repository as ws_repo
from henshin.workspaces.actions import do_add_member, do_create_user
from tests.support.factories import PASSWORD, Tenant
from tests.support.pages import log_in_page


@pytest.fixture
def supervisor_email(sqlite_database: Database, shop: Tenant) -> str:
    with sqlite_database.unit_of_work() as db:
        workspace = ws_repo.workspace_by_id(db, shop.workspace_id)
        assert workspace is not None
        user = do_create_user(db, email=f"lead@{shop.slug}.example", name="鈴木リーダー", password=PASSWORD)
        do_add_member(db, workspace=workspace, user=user, role=Role.SUPERVISOR)
        return user.email


def agents(client: TestClient, shop: Tenant) -> dict[int, dict[str, object]]:
    return {a["user_id"]: a for a in client.get("/api/v1/routing/agents", headers=shop.headers()).json()}


def test_the_page_shows_every_section_in_both_languages_and_sends_visitors_to_login(
        ui: TestClient, shop: Tenant) -> None:
    assert ui.get("/settings", follow_redirects=False).headers["location"] == "/login?next=%2Fsettings"
    log_in_page(ui, shop.admin_email, lang="ja", page="/settings")
    page = ui.get("/settings").text
    for heading in ("メンバー", "チーム", "SLAポリシー", "エスカレーション", "割り当て"):
        assert heading in page
    assert 'href="/settings" aria-current="page"' in page  # the nav link is back
    assert "佐藤" in page and "シフトなし（常時対応）" in page
    assert "オフライン" in page  # the agent is offline: cannot take work, and why
    ui.cookies.set("henshin_lang", "en")
    english = ui.get("/settings").text
    assert "Team members" in english and "SLA policies" in english and "Escalation" in english
    assert "Add a member" in english  # admins add people


def test_an_agent_sets_their_own_availability_but_not_someone_elses(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.agent_email, lang="en", page="/settings")
    page = ui.get("/settings").text
    assert 'href="/settings?member=' not in page and "Add a member" not in page  # read-only for agents
    assert 'action="/settings/sla' not in page and "L3 (urgent)" in page
    done = ui.post("/settings/availability", data={"csrf_token": csrf, "user_id": shop.agent_id,
                                                   "availability": "online"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/settings?saved=members#members"
    assert agents(ui, shop)[shop.agent_id]["availability"] == "online"
    assert "Saved." in ui.get("/settings?saved=members").text
    other = ui.post("/settings/availability", data={"csrf_token": csrf, "user_id": shop.admin_id,
                                                    "availability": "away"})
    assert other.status_code == 403
    no_token = ui.post("/settings/availability", data={"user_id": shop.agent_id, "availability": "away"})
    assert no_token.status_code == 403
    assert agents(ui, shop)[shop.agent_id]["availability"] == "online"
    assert ui.post(f"/settings/members/{shop.agent_id}", data={"csrf_token": csrf}).status_code == 403


def test_a_supervisor_edits_an_agents_skills_capacity_and_shift(
        ui: TestClient, shop: Tenant, supervisor_email: str) -> None:
    csrf = log_in_page(ui, supervisor_email, lang="ja", page="/settings")
    form = ui.get(f"/settings?member={shop.agent_id}").text
    assert 'id="member-edit"' in form and 'name="shift_mon"' in form
    data = {
        "csrf_token": csrf, "languages": "ja, EN", "topics": "返金\n配送", "networks": ["x", "line"],
        "max_open_tickets": "５", "has_shift": "1", "shift_timezone": "Asia/Tokyo", "shift_holidays": "1",
        "shift_mon": "09:00-12:00, 13:00〜18:00", "shift_tue": "22:00-06:00", "shift_wed": "",
    }
    saved = ui.post(f"/settings/members/{shop.agent_id}", data=data, follow_redirects=False)
    assert saved.status_code == 303
    agent = agents(ui, shop)[shop.agent_id]
    assert agent["skills"] == {"languages": ["en", "ja"], "networks": ["line", "x"], "topics": ["返金", "配送"]}
    assert agent["max_open_tickets"] == 5
    assert agent["shift"]["week"] == {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], "tue": [["22:00", "06:00"]]}
    assert agent["shift"]["holiday_country"] == "JP"
    page = ui.get("/settings").text
    assert "09:00–12:00, 13:00–18:00" in page and "祝日休み" in page

    bad = ui.post(f"/settings/members/{shop.agent_id}", data={
        **data, "shift_tue": "25:00-26:00", "shift_timezone": "Mars/Olympus", "max_open_tickets": "many"})
    assert bad.status_code == 422
    assert 'id="err-shift_tue"' in bad.text and "「25:00-26:00」は 09:00-18:00 のような時間帯ではありません。" in bad.text
    assert "「Mars/Olympus」はタイムゾーンではありません" in bad.text and "「many」は整数ではありません。" in bad.text
    assert 'value="Mars/Olympus"' in bad.text  # what was typed stays in the form
    assert agents(ui, shop)[shop.agent_id]["shift"]["timezone"] == "Asia/Tokyo"  # nothing saved

    empty = ui.post(f"/settings/members/{shop.agent_id}", data={**data, "shift_mon": "", "shift_tue": ""})
    assert empty.status_code == 422 and "シフトには時間帯が1つ以上必要です" in empty.text
    always = ui.post(f"/settings/members/{shop.agent_id}", data={"csrf_token": csrf, "max_open_tickets": ""},
                     follow_redirects=False)
    assert always.status_code == 303
    agent = agents(ui, shop)[shop.agent_id]
    assert agent["shift"] is None and agent["max_open_tickets"] is None


def test_admins_add_members_and_change_roles_but_keep_one_admin(
        ui: TestClient, shop: Tenant, supervisor_email: str) -> None:
    csrf = log_in_page(ui, shop.admin_email, lang="en", page="/settings")
    added = ui.post("/settings/members", data={"csrf_token": csrf, "email": "new@shop.example", "name": "New",
                                               "password": "long enough pw", "role": "agent"},
                    follow_redirects=False)
    assert added.status_code == 303
    members = {m["email"]: m for m in ui.get("/api/v1/workspace", headers=shop.headers()).json()["members"]}
    assert members["new@shop.example"]["role"] == "agent"
    again = ui.post("/settings/members", data={"csrf_token": csrf, "email": "new@shop.example", "role": "agent"})
    assert again.status_code == 409 and "new@shop.example is already a member." in again.text
    short = ui.post("/settings/members", data={"csrf_token": csrf, "email": "x@shop.example", "password": "short",
                                               "role": "agent"})
    assert short.status_code == 422 and 'id="err-password"' in short.text

    promoted = ui.post(f"/settings/members/{shop.agent_id}/role", data={"csrf_token": csrf, "role": "supervisor"},
                       follow_redirects=False)
    assert promoted.status_code == 303
    last = ui.post(f"/settings/members/{shop.admin_id}/role", data={"csrf_token": csrf, "role": "agent"})
    assert last.status_code == 409 and "The workspace needs at least one admin." in last.text

    ui.cookies.clear()
    csrf = log_in_page(ui, supervisor_email, lang="en", page="/settings")
    assert ui.post(f"/settings/members/{shop.agent_id}/role", data={"csrf_token": csrf, "role": "admin"}).status_code == 403
    assert ui.post("/settings/members", data={"csrf_token": csrf, "email": "a@b.example"}).status_code == 403


def test_teams_are_created_renamed_staffed_and_deleted(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.admin_email, lang="ja", page="/settings")
    created = ui.post("/settings/teams", data={"csrf_token": csrf, "name": "VIP窓口",
                                               "member_ids": [str(shop.admin_id)]}, follow_redirects=False)
    assert created.status_code == 303
    teams = {t["name"]: t for t in ui.get("/api/v1/workspace", headers=shop.headers()).json()["teams"]}
    vip = teams["VIP窓口"]
    assert vip["member_ids"] == [shop.admin_id]
    duplicate = ui.post("/settings/teams", data={"csrf_token": csrf, "name": "cs"})
    assert duplicate.status_code == 409 and "「cs」という名前のチームはすでにあります。" in duplicate.text

    renamed = ui.post(f"/settings/teams/{vip['id']}", data={
        "csrf_token": csrf, "name": "VIP", "member_ids": [str(shop.agent_id)]}, follow_redirects=False)
    assert renamed.status_code == 303
    teams = {t["name"]: t for t in ui.get("/api/v1/workspace", headers=shop.headers()).json()["teams"]}
    assert teams["VIP"]["member_ids"] == [shop.agent_id] and "VIP窓口" not in teams
    blank = ui.post(f"/settings/teams/{vip['id']}", data={"csrf_token": csrf, "name": " "})
    assert blank.status_code == 422 and f'id="err-team_{vip["id"]}_name"' in blank.text

    ui.post("/settings/escalation", data={"csrf_token": csrf, "L3_team_id": str(vip["id"])})
    refused = ui.post(f"/settings/teams/{vip['id']}/delete", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "エスカレーション先になっています" in refused.text
    ui.post("/settings/escalation", data={"csrf_token": csrf})
    deleted = ui.post(f"/settings/teams/{vip['id']}/delete", data={"csrf_token": csrf}, follow_redirects=False)
    assert deleted.status_code == 303
    assert "VIP" not in {t["name"] for t in ui.get("/api/v1/workspace", headers=shop.headers()).json()["teams"]}


def test_agents_cannot_edit_teams(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.agent_email, page="/settings")
    assert ui.post("/settings/teams", data={"csrf_token": csrf, "name": "mine"}).status_code == 403
    assert ui.post(f"/settings/teams/{shop.team_id}/delete", data={"csrf_token": csrf}).status_code == 403


def test_sla_policies_are_created_edited_and_deleted_by_admins(
        ui: TestClient, shop: Tenant, supervisor_email: str) -> None:
    csrf = log_in_page(ui, shop.admin_email, lang="en", page="/settings")
    assert 'id="sla-edit"' in ui.get("/settings?sla=new").text
    form = {"csrf_token": csrf, "name": "Urgent on X", "priority": "urgent", "escalation_level": "",
            "channel_id": str(shop.channel_id), "first_response_minutes": "30", "next_response_minutes": "",
            "resolution_minutes": "480", "warn_before_minutes": "10", "position": "1", "business_hours": "1",
            "pause_when_snoozed": "1", "enabled": "1"}
    assert ui.post("/settings/sla", data=form, follow_redirects=False).status_code == 303
    [policy] = ui.get("/api/v1/sla/policies", headers=shop.headers()).json()
    assert (policy["priority"], policy["channel_id"], policy["first_response_minutes"]) == ("urgent", shop.channel_id, 30)
    assert policy["business_hours"] and policy["pause_when_snoozed"] and policy["warn_before_minutes"] == 10

    no_target = ui.post(f"/settings/sla/{policy['id']}", data={
        **form, "first_response_minutes": "", "resolution_minutes": "", "business_hours": ""})
    assert no_target.status_code == 422 and 'id="err-first_response_minutes"' in no_target.text
    assert "Set at least one target" in no_target.text
    not_minutes = ui.post(f"/settings/sla/{policy['id']}", data={**form, "resolution_minutes": "8h", "name": ""})
    assert not_minutes.status_code == 422
    assert "“8h” is not a whole number of minutes" in not_minutes.text and 'id="err-name"' in not_minutes.text
    edited = ui.post(f"/settings/sla/{policy['id']}", data={**form, "priority": "high", "business_hours": ""},
                     follow_redirects=False)
    assert edited.status_code == 303
    [policy] = ui.get("/api/v1/sla/policies", headers=shop.headers()).json()
    assert policy["priority"] == "high" and policy["business_hours"] is False
    assert "Calendar hours" in ui.get("/settings").text

    ui.cookies.clear()
    lead_csrf = log_in_page(ui, supervisor_email, lang="en", page="/settings")
    assert ui.post("/settings/sla", data={**form, "csrf_token": lead_csrf}).status_code == 403
    assert ui.post(f"/settings/sla/{policy['id']}/delete", data={"csrf_token": lead_csrf}).status_code == 403
    ui.cookies.clear()
    csrf = log_in_page(ui, shop.admin_email, lang="en", page="/settings")
    assert ui.post(f"/settings/sla/{policy['id']}/delete", data={}).status_code == 403  # no CSRF token
    assert ui.post(f"/settings/sla/{policy['id']}/delete", data={"csrf_token": csrf},
                   follow_redirects=False).status_code == 303
    assert ui.get("/api/v1/sla/policies", headers=shop.headers()).json() == []


def test_escalation_targets_per_level(ui: TestClient, shop: Tenant, supervisor_email: str) -> None:
    csrf = log_in_page(ui, shop.admin_email, lang="ja", page="/settings")
    saved = ui.post("/settings/escalation", data={
        "csrf_token": csrf, "L2_user_id": str(shop.admin_id), "L2_strategy": "round_robin",
        "L3_team_id": str(shop.team_id), "L3_strategy": "least_loaded",
        "L3_notify_emails": "oncall@shop.example\nboss@shop.example",
        "L3_notify_slack_url": "https://hooks.slack.example/T1/B2"}, follow_redirects=False)
    assert saved.status_code == 303
    config = ui.get("/api/v1/routing/escalation", headers=shop.headers()).json()
    assert config["L3"] == {"team_id": shop.team_id, "strategy": "least_loaded",
                            "notify_emails": ["oncall@shop.example", "boss@shop.example"],
                            "notify_slack_url": "https://hooks.slack.example/T1/B2"}
    assert 'value="https://hooks.slack.example/T1/B2"' in ui.get("/settings").text  # shown again, not lost
    assert config["L2"]["user_id"] == shop.admin_id and "L1" not in config
    bad = ui.post("/settings/escalation", data={"csrf_token": csrf, "L1_notify_emails": "not-an-email",
                                                "L2_team_id": "99999", "L3_notify_slack_url": "slack"})
    assert bad.status_code == 422
    assert "「slack」は http:// または https:// のURLではありません。" in bad.text
    assert "メールアドレスではありません：not-an-email" in bad.text and 'id="err-L2_team_id"' in bad.text
    assert ui.get("/api/v1/routing/escalation", headers=shop.headers()).json() == config

    ui.cookies.clear()
    lead_csrf = log_in_page(ui, supervisor_email, lang="ja", page="/settings")
    assert ui.post("/settings/escalation", data={"csrf_token": lead_csrf}).status_code == 403
