"""The facts kept by the listeners equal a full rebuild from history, whatever happened."""

from __future__ import annotations

import random
from datetime import timedelta

from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.events.bus import Actor
from henshin.models.ticket import Priority
from henshin.reports import repository as repo
from henshin.reports.rollup import rebuild_workspace
from tests.reports.conftest import Replay
from tests.support.factories import BASE_TIME, Tenant, engagement, ingest

TEXTS = ["注文した本がまだ届きません", "ありがとうございました！", "Where is my order?", "thanks!",
         "返金はいつですか", "The app crashes on login"]


def snapshot(database: Database, workspace_id: int) -> dict[int, dict[str, object]]:
    with database.sessions() as db:
        return {
            f.ticket_id: {c: getattr(f, c) for c in f.__table__.columns.keys() if c != "updated_at"}
            for f in repo.facts_of_workspace(db, workspace_id)
        }


def test_incremental_facts_equal_a_rebuild_after_random_actions(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    rng = random.Random(8)
    replay = Replay(database)
    clock = BASE_TIME
    tickets: list[int] = []
    for step in range(40):
        clock += timedelta(minutes=rng.randint(1, 90))
        choice = rng.random()
        if choice < 0.3 or not tickets:
            conv = rng.randint(1, 6)
            item = engagement(f"e{step}", rng.choice(TEXTS), kind="dm", thread_id=f"conv{conv}",
                              author=f"c{conv}", at=clock)
            tickets.append(ingest(client, tenant, [item], channel_id=tenant.dm_channel_id)[0]["ticket_id"])
            continue
        ticket = rng.choice(tickets)
        if choice < 0.5:
            replay.reply(ticket, clock, user_id=rng.choice([tenant.agent_id, tenant.admin_id]))
        elif choice < 0.58:
            replay.reply(ticket, clock, rule_id=3)
        elif choice < 0.75:
            replay.close(ticket, clock, user_id=tenant.agent_id)
        elif choice < 0.82:
            replay.do(ticket, "do_tag", actor=Actor.user(tenant.agent_id), tags=[rng.choice(["配送", "返金"])])
        elif choice < 0.9:
            replay.do(ticket, "do_assign", actor=Actor.user(tenant.admin_id),
                      user_id=rng.choice([tenant.agent_id, tenant.admin_id]), team_id=tenant.team_id)
        else:
            replay.do(ticket, "do_set_priority", actor=Actor.rule(2), priority=rng.choice(list(Priority)))
    incremental = snapshot(database, tenant.workspace_id)
    assert len(incremental) == len(set(tickets))
    assert any(f["reopens"] for f in incremental.values())  # the sequence did reopen something
    assert any(f["first_response_seconds"] is not None for f in incremental.values())

    with database.unit_of_work() as db:
        rebuild_workspace(db, tenant.workspace_id)
    assert snapshot(database, tenant.workspace_id) == incremental
