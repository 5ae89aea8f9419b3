"""The figures read from the cells equal the figures computed from the facts, and stay equal
as new events arrive; the kept cells equal a rebuild."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from henshin.db.session import Database
from henshin.events.bus import Actor
from henshin.events.names import HistoryType
from henshin.models import Ticket, Workspace
from henshin.models.ticket import Priority
from henshin.reports import cell_repository as cells_repo
from henshin.reports.cell_queries import SUPPORTED, answers
from henshin.reports.export import ticket_page
from henshin.reports.queries import heatmap, run_report
from henshin.reports.rollup import rebuild_cells
from henshin.reports.schemas import Metric, ReportFilter
from henshin.tickets.history import record_change
from tests.reports.conftest import Replay
from tests.support.factories import BASE_TIME, Tenant, engagement, ingest

TEXTS = ["注文した本がまだ届きません", "ありがとうございました！", "Where is my order?", "thanks!",
         "返金はいつですか", "The app crashes on login"]
NOW = BASE_TIME + timedelta(days=4)
JST = "+09:00"
RANGES = [
    ReportFilter(),
    # whole local days, a week with partial days on both sides, less than a day, week cells
    # minus the hours past the range, open ends
    ReportFilter(start=datetime.fromisoformat("2026-11-21T00:00:00" + JST),
                 end=datetime.fromisoformat("2026-11-24T00:00:00" + JST)),
    ReportFilter(start=datetime.fromisoformat("2026-11-20T13:37:00" + JST),
                 end=datetime.fromisoformat("2026-12-01T08:15:00" + JST)),
    ReportFilter(start=datetime.fromisoformat("2026-11-22T03:00:00" + JST),
                 end=datetime.fromisoformat("2026-11-22T21:30:00" + JST)),
    ReportFilter(start=datetime.fromisoformat("2026-11-20T00:00:00" + JST),  # a week cell less its Sunday night
                 end=datetime.fromisoformat("2026-11-29T18:00:00" + JST)),
    ReportFilter(start=datetime.fromisoformat("2026-11-23T12:00:00" + JST)),
    ReportFilter(end=datetime.fromisoformat("2026-11-25T00:00:00" + JST)),
]


class Story:
    """Random customer conversations and agent work, each step committed like a request."""

    def __init__(self, client: TestClient, tenant: Tenant, database: Database, seed: int) -> None:
        self.client, self.tenant, self.database = client, tenant, database
        self.rng = random.Random(seed)
        self.replay = Replay(database)
        self.clock = BASE_TIME
        self.tickets: list[int] = []
        self.step = 0

    def run(self, steps: int) -> None:
        for _ in range(steps):
            self.step += 1
            self.clock += timedelta(minutes=self.rng.randint(1, 360))
            self._one()

    def _change(self, ticket_id: int, change: Any) -> None:
        with self.database.unit_of_work() as db:
            ticket = db.get(Ticket, ticket_id)
            assert ticket is not None
            change(db, ticket)

    def _one(self) -> None:
        rng, tenant, t = self.rng, self.tenant, self.tenant
        choice = rng.random()
        if choice < 0.3 or not self.tickets:
            conv = rng.randint(1, 12)
            item = engagement(f"s{self.step}-{rng.random()}", rng.choice(TEXTS), kind="dm",
                              thread_id=f"conv{conv}", author=f"c{conv}", at=self.clock)
            ticket = ingest(self.client, tenant, [item], channel_id=t.dm_channel_id)[0]["ticket_id"]
            self.tickets.append(ticket)
            if rng.random() < 0.5:
                due = self.clock + timedelta(minutes=rng.randint(10, 3000))

                def set_sla(db: Any, row: Ticket) -> None:
                    row.sla_first_response_due_at = due
                    row.sla_resolution_due_at = due + timedelta(hours=8)
                    record_change(db, row, HistoryType.SLA, Actor.system("sla"), {"policy": "standard"}, at=self.clock)
                self._change(ticket, set_sla)
            return
        ticket = rng.choice(self.tickets)
        actor = Actor.user(rng.choice([t.agent_id, t.admin_id]))
        if choice < 0.48:
            self.replay.reply(ticket, self.clock, user_id=actor.id)
        elif choice < 0.55:
            self.replay.reply(ticket, self.clock, rule_id=3)
        elif choice < 0.68:
            self.replay.close(ticket, self.clock, user_id=rng.choice([t.agent_id, t.admin_id]))
        elif choice < 0.76:
            self.replay.do(ticket, "do_tag", actor=actor, tags=rng.sample(["配送", "返金", "vip"], rng.randint(1, 2)))
        elif choice < 0.80:
            self.replay.do(ticket, "do_untag", actor=actor, tags=["配送"])
        elif choice < 0.86:
            self.replay.do(ticket, "do_assign", actor=Actor.user(t.admin_id),
                           user_id=rng.choice([t.agent_id, t.admin_id]), team_id=t.team_id)
        elif choice < 0.89:
            self.replay.do(ticket, "do_set_priority", actor=Actor.rule(2), priority=rng.choice(list(Priority)))
        elif choice < 0.96:
            state = {"state": "sent"} if rng.random() < 0.4 else {"state": "answered", "score": rng.randint(1, 5)}
            self._change(ticket, lambda db, row: record_change(db, row, HistoryType.CSAT, Actor.system("csat"),
                                                               state, at=self.clock))
        else:
            spam = rng.random() < 0.7

            def mark(db: Any, row: Ticket) -> None:
                row.is_spam = spam
                record_change(db, row, HistoryType.SPAM, actor, {"spam": spam}, at=self.clock)
            self._change(ticket, mark)


def every_figure(database: Database, workspace_id: int, f: ReportFilter, use_cells: bool) -> dict[str, Any]:
    with database.sessions() as db:
        workspace = db.get(Workspace, workspace_id)
        assert workspace is not None
        out: dict[str, Any] = {"heatmap": heatmap(db, workspace, f, use_cells=use_cells)}
        for metric, groups in SUPPORTED.items():
            for group in groups:
                assert answers(f, metric, group)
                report = run_report(db, workspace, metric, f, group, now=NOW, use_cells=use_cells)
                out[f"{metric}/{group}"] = report.model_dump(mode="json")
        return out


def assert_cells_agree_with_facts(database: Database, workspace_id: int) -> None:
    for f in RANGES:
        fast, direct = every_figure(database, workspace_id, f, True), every_figure(database, workspace_id, f, False)
        for name in direct:
            assert fast[name] == direct[name], (f, name)
    with database.sessions() as db:
        kept = cells_repo.cells_of_workspace(db, workspace_id)
    with database.unit_of_work() as db:
        rebuild_cells(db, workspace_id)
    with database.sessions() as db:
        assert cells_repo.cells_of_workspace(db, workspace_id) == kept


def test_cells_give_the_facts_figures_over_any_range_as_events_arrive(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    story = Story(client, tenant, database, seed=11)
    story.run(70)
    everything = every_figure(database, tenant.workspace_id, ReportFilter(), True)
    assert everything[f"{Metric.FIRST_RESPONSE_TIME}/None"]["total"]["values"]["calendar"]["count"] > 3
    assert everything[f"{Metric.CSAT}/None"]["total"]["values"]["responses"] > 0
    assert everything[f"{Metric.HANDLED}/agent"]["groups"], "closes and replies by agent"
    assert_cells_agree_with_facts(database, tenant.workspace_id)

    story.run(30)  # new events on old and new tickets move their parts between cells
    after = every_figure(database, tenant.workspace_id, ReportFilter(), True)
    assert after != everything
    assert_cells_agree_with_facts(database, tenant.workspace_id)


def test_filtered_figures_and_drill_down_count_the_same_tickets(
    client: TestClient, tenant: Tenant, database: Database
) -> None:
    story = Story(client, tenant, database, seed=5)
    story.run(50)
    with database.sessions() as db:
        workspace = db.get(Workspace, tenant.workspace_id)
        assert workspace is not None
        for f in (ReportFilter(tag=["返金", "vip"]), ReportFilter(agent_id=[tenant.agent_id]),
                  ReportFilter(channel_id=[tenant.dm_channel_id], start=RANGES[2].start, end=RANGES[2].end)):
            volume = run_report(db, workspace, Metric.VOLUME, f)
            drilled = ticket_page(db, tenant.workspace_id, f, limit=1000).items
            assert volume.total.values["tickets"] == len(drilled)
            by_day = run_report(db, workspace, Metric.FIRST_RESPONSE_TIME, f, group=None)
            assert by_day.total.values["tickets"] == len(drilled)
            assert by_day.total.values["responded"] == sum(1 for t in drilled if t.first_response_seconds is not None)
