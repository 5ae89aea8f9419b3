"""Factories: tenants (workspace + users + tokens + a channel) and engagement payloads."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from henshin.channels.actions import do_create_channel
from henshin.db.session import Database
from henshin.models.workspace import Role
from henshin.workspaces.actions import (
    do_add_member,
    do_create_api_token,
    do_create_team,
    do_create_user,
    do_create_workspace,
)

_ids = itertools.count(1)
PASSWORD = "correct horse battery"
BASE_TIME = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


@dataclass
class Tenant:
    workspace_id: int
    slug: str
    admin_id: int
    admin_email: str
    admin_token: str
    agent_id: int
    agent_email: str
    agent_token: str
    team_id: int
    channel_id: int
    dm_channel_id: int

    def headers(self, who: str = "admin") -> dict[str, str]:
        token = self.admin_token if who == "admin" else self.agent_token
        return {"Authorization": f"Bearer {token}"}


def make_tenant(database: Database, slug: str | None = None, network: str = "x") -> Tenant:
    n = next(_ids)
    slug = slug or f"brand{n}"
    with database.unit_of_work() as db:
        ws = do_create_workspace(db, slug=slug, name=f"Brand {n}")
        admin = do_create_user(db, email=f"admin{n}@{slug}.example", name=f"Admin{n}", password=PASSWORD)
        agent = do_create_user(db, email=f"agent{n}@{slug}.example", name=f"佐藤{n}", password=PASSWORD)
        do_add_member(db, workspace=ws, user=admin, role=Role.ADMIN)
        do_add_member(db, workspace=ws, user=agent, role=Role.AGENT)
        team = do_create_team(db, workspace_id=ws.id, name="CS", member_ids=[agent.id])
        channel = do_create_channel(db, workspace_id=ws.id, network=network, name=f"{network} main",
                                    credentials={"access_token": f"secret-{n}"})
        dm_channel = do_create_channel(db, workspace_id=ws.id, network="line", name="LINE")
        admin_token = do_create_api_token(db, workspace_id=ws.id, user_id=admin.id, name="test").token
        agent_token = do_create_api_token(db, workspace_id=ws.id, user_id=agent.id, name="test").token
        return Tenant(ws.id, slug, admin.id, admin.email, admin_token, agent.id, agent.email,
                      agent_token, team.id, channel.id, dm_channel.id)


def engagement(
    external_id: str | None = None,
    text: str = "注文した本がまだ届きません",
    *,
    kind: str = "mention",
    author: str = "cust-1",
    handle: str | None = None,
    thread_id: str | None = None,
    parent: str | None = None,
    at: datetime | None = None,
    minutes: float = 0,
    followers: int | None = 120,
    **extra: Any,
) -> dict[str, Any]:
    """An engagement as JSON for ``POST /api/v1/engagements``."""
    created = (at or BASE_TIME) + timedelta(minutes=minutes)
    body: dict[str, Any] = {
        "external_id": external_id or f"ext-{next(_ids)}",
        "kind": kind,
        "author": {"external_id": author, "handle": handle or author, "display_name": handle or author,
                   "followers": followers},
        "text": text,
        "created_at": created.isoformat(),
    }
    if thread_id:
        body["thread_id"] = thread_id
    if parent:
        body["parent_external_id"] = parent
    body.update(extra)
    return body


def ingest(client: TestClient, tenant: Tenant, items: list[dict[str, Any]], *, channel_id: int | None = None,
           who: str = "admin") -> list[dict[str, Any]]:
    response = client.post(
        "/api/v1/engagements",
        json={"channel_id": channel_id or tenant.channel_id, "engagements": items},
        headers=tenant.headers(who),
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])
