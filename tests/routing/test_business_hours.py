"""Business hours: set by admins (API and Settings page), counted by business-hours SLAs,
Japanese national holidays and closed dates included."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.support.factories import Tenant, engagement, ingest
from tests.support.pages import log_in_page

OFFICE_WEEK = {
    "timezone": "Asia/Tokyo", "holiday_country": "JP",
    "week": {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
}


def test_admins_set_business_hours_that_business_hours_slas_count(client, tenant) -> None:  # type: ignore[no-untyped-def]
    h = tenant.headers()
    assert client.get("/api/v1/routing/business-hours", headers=h).json() == {"business_hours": None}
    bad = client.put("/api/v1/routing/business-hours", headers=h,
                     json={"business_hours": {"timezone": "Asia/Tokyo", "week": {"mon": [["25:00", "26:00"]]}}})
    assert bad.status_code == 422 and "business_hours" in bad.json()["error"]["message"]
    never = client.put("/api/v1/routing/business-hours", headers=h,
                       json={"business_hours": {"timezone": "Asia/Tokyo", "week": {}}})
    assert never.status_code == 422 and "at least one period" in never.json()["error"]["message"]
    by_agent = client.put("/api/v1/routing/business-hours", headers=tenant.headers("agent"),
                          json={"business_hours": OFFICE_WEEK})
    assert by_agent.status_code == 403
    saved = client.put("/api/v1/routing/business-hours", headers=h, json={"business_hours": OFFICE_WEEK})
    assert saved.status_code == 200, saved.text
    assert saved.json()["business_hours"]["week"]["fri"] == [["09:00", "18:00"]]

    policy = client.post("/api/v1/sla/policies", headers=h, json={
        "name": "営業時間内1時間", "first_response_minutes": 60, "business_hours": True})
    assert policy.status_code == 201, policy.text
    # Friday 2026-11-20 17:30 in Tokyo: 30 business minutes left that day; Monday the 23rd
    # is 勤労感謝の日 (a national holiday), so the hour ends on Tuesday at 09:30 Tokyo time.
    friday_evening = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    [item] = ingest(client, tenant, [engagement(text="返品の方法を教えてください", at=friday_evening)])
    detail = client.get(f"/api/v1/tickets/{item['ticket_id']}", headers=h).json()
    assert datetime.fromisoformat(detail["sla_first_response_due_at"]) == datetime(2026, 11, 24, 0, 30, tzinfo=UTC)

    cleared = client.put("/api/v1/routing/business-hours", headers=h, json={"business_hours": None})
    assert cleared.json() == {"business_hours": None}


def test_the_settings_page_edits_business_hours_in_japanese_and_explains_mistakes(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.admin_email, lang="ja", page="/settings")
    page = ui.get("/settings").text
    assert "営業時間" in page and 'action="/settings/hours"' in page
    form = {"csrf_token": csrf, "has_hours": "1", "hours_timezone": "Asia/Tokyo", "hours_holidays": "1",
            "hours_mon": "１０:００〜１９:００", "hours_tue": "10:00-12:00, 13:00-19:00", "hours_sat": "",
            "hours_closed_dates": "2026/12/31、2027-01-02"}
    refused = ui.post("/settings/hours", data={**form, "hours_tue": "10時から"})
    assert refused.status_code == 422
    assert "10時から" in refused.text and 'aria-invalid="true" aria-describedby="err-hours_tue"' in refused.text
    assert ui.get("/api/v1/routing/business-hours", headers=shop.headers()).json() == {"business_hours": None}
    bad_date = ui.post("/settings/hours", data={**form, "hours_closed_dates": "大晦日"})
    assert bad_date.status_code == 422 and "2026-12-31 の形" in bad_date.text

    done = ui.post("/settings/hours", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/settings?saved=hours#hours"
    hours = ui.get("/api/v1/routing/business-hours", headers=shop.headers()).json()["business_hours"]
    assert hours["week"] == {"mon": [["10:00", "19:00"]], "tue": [["10:00", "12:00"], ["13:00", "19:00"]]}
    assert hours["closed_dates"] == ["2026-12-31", "2027-01-02"] and hours["holiday_country"] == "JP"
    assert 'value="10:00-12:00, 13:00-19:00"' in ui.get("/settings").text

    agent = TestClient(ui.app)
    agent_csrf = log_in_page(agent, shop.agent_email, lang="en", page="/settings")
    assert agent.post("/settings/hours", data={**form, "csrf_token": agent_csrf}).status_code == 403
    assert ui.post("/settings/hours", data={"has_hours": ""}).status_code == 403  # no CSRF token
    cleared = ui.post("/settings/hours", data={"csrf_token": csrf, "has_hours": ""}, follow_redirects=False)
    assert cleared.status_code == 303
    assert ui.get("/api/v1/routing/business-hours", headers=shop.headers()).json() == {"business_hours": None}


def test_changing_the_hours_recomputes_the_reports_business_time(client, tenant, database) -> None:  # type: ignore[no-untyped-def]
    from tests.reports.conftest import Replay

    friday_1750 = datetime(2026, 11, 20, 8, 50, tzinfo=UTC)  # 17:50 in Tokyo
    [item] = ingest(client, tenant, [engagement("late", "返金について", at=friday_1750)])
    tuesday_0910 = datetime(2026, 11, 24, 0, 10, tzinfo=UTC)  # Monday the 23rd is a holiday
    Replay(database).reply(item["ticket_id"], tuesday_0910, user_id=tenant.agent_id)

    def business_median() -> float:
        response = client.get("/api/v1/reports/first-response-time", headers=tenant.headers())
        return float(response.json()["total"]["values"]["business"]["median"])

    assert business_median() == (tuesday_0910 - friday_1750).total_seconds()  # no hours: every hour counts
    client.put("/api/v1/routing/business-hours", headers=tenant.headers(), json={"business_hours": OFFICE_WEEK})
    assert business_median() == 20 * 60  # 10 minutes on Friday evening, 10 on Tuesday morning
    client.put("/api/v1/routing/business-hours", headers=tenant.headers(), json={"business_hours": None})
    assert business_median() == (tuesday_0910 - friday_1750).total_seconds()
