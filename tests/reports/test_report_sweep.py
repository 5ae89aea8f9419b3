"""A change whose after-commit fact update never ran is caught up by the worker's sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.events.bus import PENDING_KEY, Actor
from henshin.kit.time import utc_now
from henshin.models import Ticket
from henshin.reports import rollup
from henshin.reports.rollup import sweep_stale
from henshin.routing.hours import WeeklySchedule
from henshin.tickets import actions
from tests.support.factories import Tenant, engagement, ingest


def _first_response(client: TestClient, tenant: Tenant) -> dict:  # type: ignore[type-arg]
    response = client.get("/api/v1/reports/first-response-time", headers=tenant.headers())
    assert response.status_code == 200, response.text
    return dict(response.json()["total"]["values"])


def test_the_sweep_recomputes_facts_whose_update_was_lost_with_the_process(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    now = utc_now()
    [item] = ingest(client, tenant, [engagement("lost-1", "注文した商品がまだ届きません", at=now)])
    assert _first_response(client, tenant)["unanswered"] == 1
    assert sweep_stale(database, now=now + timedelta(minutes=5)) == 0  # nothing behind

    # The reply commits, then the process dies before the after-commit listeners run.
    with database.unit_of_work() as db:
        ticket = db.get(Ticket, item["ticket_id"])
        assert ticket is not None
        actions.do_reply(db, ticket, actor=Actor.user(tenant.agent_id), text="確認いたします",
                         at=now + timedelta(minutes=3))
        db.info.pop(PENDING_KEY)
    stale = _first_response(client, tenant)
    assert stale["unanswered"] == 1 and stale["calendar"]["median"] is None

    assert sweep_stale(database, now=utc_now()) == 0  # the listener may still be at work: left to it
    assert sweep_stale(database, now=utc_now() + timedelta(minutes=1)) == 1
    caught_up = _first_response(client, tenant)
    assert caught_up["unanswered"] == 0 and caught_up["responded"] == 1
    assert caught_up["calendar"]["median"] == 180.0
    assert sweep_stale(database, now=utc_now() + timedelta(minutes=1)) == 0


def test_a_large_workspace_recomputes_business_time_in_the_worker_after_its_hours_change(
    client: TestClient, tenant: Tenant, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rollup, "INLINE_REBUILD_TICKETS", 0)  # every workspace counts as large here
    friday_1750 = datetime(2026, 11, 20, 8, 50, tzinfo=UTC)  # 17:50 JST
    [item] = ingest(client, tenant, [engagement("hours-1", "返金について", at=friday_1750)])
    with database.unit_of_work() as db:
        ticket = db.get(Ticket, item["ticket_id"])
        assert ticket is not None  # answered on Tuesday 09:10 JST (Monday is a holiday)
        actions.do_reply(db, ticket, actor=Actor.user(tenant.agent_id), text="確認いたします",
                         at=datetime(2026, 11, 24, 0, 10, tzinfo=UTC))
    calendar_hours = _first_response(client, tenant)
    assert calendar_hours["business"]["median"] == calendar_hours["calendar"]["median"]

    hours = WeeklySchedule.weekdays([("09:00", "18:00")], timezone="Asia/Tokyo").to_json()
    saved = client.put("/api/v1/routing/business-hours", json={"business_hours": hours}, headers=tenant.headers())
    assert saved.status_code == 200, saved.text
    waiting = client.get("/api/v1/reports/first-response-time", headers=tenant.headers()).json()
    assert waiting["recomputing_since"] is not None  # answered at once, recomputed later
    assert waiting["total"]["values"]["business"]["median"] == calendar_hours["calendar"]["median"]

    assert rollup.rebuild_requested(database) == 1
    done = client.get("/api/v1/reports/first-response-time", headers=tenant.headers()).json()
    assert done["recomputing_since"] is None
    assert done["total"]["values"]["business"]["median"] == 20 * 60
    assert rollup.rebuild_requested(database) == 0
