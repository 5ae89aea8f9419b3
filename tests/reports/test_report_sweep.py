"""A change whose after-commit fact update never ran is caught up by the worker's sweep."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.events.bus import PENDING_KEY, Actor
from henshin.kit.time import utc_now
from henshin.models import Ticket
from henshin.reports.rollup import sweep_stale
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
