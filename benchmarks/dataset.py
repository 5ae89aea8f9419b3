"""Bulk-load a large, realistic workspace for benchmarks (core inserts, no per-row ORM).

``populate(database, tickets=1_000_000)`` creates a workspace with agents, teams and
channels, contacts, tickets (mixed status, assignee, priority, language, sentiment),
tags on most tickets and one engagement per ticket, spread over a year.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from henshin.channels.actions import do_create_channel  # noqa: E402
from henshin.db.session import Database  # noqa: E402
from henshin.models import Contact, Engagement, Ticket, TicketTag  # noqa: E402
from henshin.models.workspace import Role  # noqa: E402
from henshin.workspaces.actions import (  # noqa: E402
    do_add_member,
    do_create_api_token,
    do_create_team,
    do_create_user,
    do_create_workspace,
)

TAGS = [f"tag-{i:02d}" for i in range(30)] + ["配送", "返金", "在庫", "クレーム", "praise"]
TEXTS = [
    "注文した本がまだ届きません", "営業時間は何時までですか？", "新作の桜ラテ最高でした",
    "My order is late again", "Do you ship to Canada?", "クレジットカードで二重請求されています",
    "Love the new cafe!", "返金はいつになりますか", "アプリにログインできません", "Is the gift box in stock?",
]
NETWORKS = ["x", "instagram", "facebook", "line", "rss"]
KINDS = {"x": "mention", "instagram": "comment", "facebook": "comment", "line": "dm", "rss": "listening"}


@dataclass(frozen=True)
class Populated:
    workspace_id: int
    agent_ids: list[int]
    team_ids: list[int]
    channel_ids: list[int]
    token: str
    tickets: int


def populate(
    database: Database,
    *,
    tickets: int,
    agents: int = 20,
    contacts: int | None = None,
    engagements: bool = True,
    seed: int = 7,
    slug: str = "bench",
    chunk: int = 20_000,
    progress: bool = True,
) -> Populated:
    """Create a workspace holding ``tickets`` tickets; returns its ids and an API token."""
    rng = random.Random(seed)
    with database.unit_of_work() as db:
        ws = do_create_workspace(db, slug=slug, name="Bench")
        agent_ids = []
        for i in range(agents):
            user = do_create_user(db, email=f"agent{i}@{slug}.example", name=f"Agent {i}", password=None)
            do_add_member(db, workspace=ws, user=user, role=Role.ADMIN if i == 0 else Role.AGENT)
            agent_ids.append(user.id)
        team_ids = [
            do_create_team(db, workspace_id=ws.id, name=f"Team {t}", member_ids=agent_ids[t::4]).id
            for t in range(4)
        ]
        channel_ids = [do_create_channel(db, workspace_id=ws.id, network=n, name=n).id for n in NETWORKS]
        token = do_create_api_token(db, workspace_id=ws.id, user_id=agent_ids[0], name="bench").token
        workspace_id = ws.id
    n_contacts = contacts or max(1, tickets // 5)
    start = time.perf_counter()
    with database.engine.begin() as conn:
        rows = []
        now = datetime.now(UTC)
        for c in range(n_contacts):
            network = NETWORKS[c % len(NETWORKS)]
            rows.append({
                "workspace_id": workspace_id, "network": network, "external_id": f"u{c}",
                "handle": f"user{c}", "display_name": f"User {c}", "followers": rng.randint(0, 50000),
                "verified": False, "labels": [], "ticket_count": 0, "extra": {},
                "created_at": now, "updated_at": now,
            })
            if len(rows) >= chunk:
                conn.execute(insert(Contact), rows)
                rows = []
        if rows:
            conn.execute(insert(Contact), rows)
    first_contact = _first_id(database, "contacts", workspace_id)
    base = datetime(2025, 11, 1, tzinfo=UTC)
    year = 365 * 24 * 3600
    done = 0
    while done < tickets:
        size = min(chunk, tickets - done)
        ticket_rows, engagement_rows = [], []
        for i in range(done, done + size):
            ch = i % len(NETWORKS)
            network = NETWORKS[ch]
            # Tickets arrive in time order, as they do through ingest (ids follow time).
            created = base + timedelta(seconds=i * year / max(tickets, 1) + rng.randrange(600))
            activity = created + timedelta(seconds=rng.randrange(3 * 24 * 3600))
            r = rng.random()
            status = "open" if r < 0.25 else "snoozed" if r < 0.30 else "closed"
            assignee = rng.choice(agent_ids) if rng.random() < 0.6 else None
            waiting = activity if status == "open" and rng.random() < 0.7 else None
            text = TEXTS[i % len(TEXTS)]
            ticket_rows.append({
                "workspace_id": workspace_id, "channel_id": channel_ids[ch],
                "contact_id": first_contact + rng.randrange(n_contacts), "network": network,
                "kind": KINDS[network], "thread_key": f"e:{i}", "subject": text, "status": status,
                "priority": rng.choices(["low", "normal", "high", "urgent"], [1, 14, 4, 1])[0],
                "assignee_user_id": assignee,
                "assignee_team_id": rng.choice(team_ids) if assignee else None,
                "language": "ja" if i % 3 else "en",
                "sentiment_label": rng.choice(["positive", "neutral", "negative"]),
                "sentiment_score": 0.0, "is_spam": rng.random() < 0.03, "search_text": text,
                "created_at": created, "updated_at": activity, "last_activity_at": activity,
                "last_inbound_at": created, "waiting_since": waiting,
                "first_response_at": None if waiting else created + timedelta(minutes=rng.randrange(1, 600)),
                "closed_at": activity if status == "closed" else None,
                "snooze_until": activity + timedelta(days=400) if status == "snoozed" else None,
                "reopen_count": 0, "message_count": 1, "version": 1,
            })
        with database.engine.begin() as conn:
            ids = [row[0] for row in conn.execute(insert(Ticket).returning(Ticket.id, sort_by_parameter_order=True), ticket_rows)]
            tag_rows = []
            for tid, row in zip(ids, ticket_rows, strict=True):
                tag_rows.extend({"ticket_id": tid, "name": tag, "workspace_id": workspace_id,
                                 "created_at": row["created_at"]} for tag in rng.sample(TAGS, rng.choice([0, 1, 1, 2])))
                if engagements:
                    engagement_rows.append({
                        "workspace_id": workspace_id, "channel_id": row["channel_id"], "ticket_id": tid,
                        "contact_id": row["contact_id"], "network": row["network"], "kind": row["kind"],
                        "direction": "inbound", "external_id": f"b{tid}", "text": row["subject"], "media": [],
                        "reply_context": {}, "raw": {}, "language": row["language"],
                        "sentiment_label": row["sentiment_label"], "is_spam": False, "is_gratitude": False,
                        "created_at": row["created_at"], "received_at": row["created_at"],
                    })
            if tag_rows:
                conn.execute(insert(TicketTag), tag_rows)
            if engagement_rows:
                conn.execute(insert(Engagement), engagement_rows)
        done += size
        if progress:
            rate = done / (time.perf_counter() - start)
            print(f"  loaded {done:,}/{tickets:,} tickets ({rate:,.0f}/s)", file=sys.stderr)
    if database.engine.dialect.name == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with database.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return Populated(workspace_id, agent_ids, team_ids, channel_ids, token, tickets)


def _first_id(database: Database, table: str, workspace_id: int) -> int:
    with database.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT min(id) FROM {table} WHERE workspace_id = {int(workspace_id)}").scalar_one())  # noqa: S608
