"""The demo workspace: a brand, an admin, two agents, a team, one channel per network."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from henshin.channels import repository as ch_repo
from henshin.channels.actions import do_create_channel
from henshin.models.workspace import Role
from henshin.workspaces import repository as ws_repo
from henshin.workspaces.actions import (
    do_add_member,
    do_create_team,
    do_create_user,
    do_create_workspace,
)

DEMO_SLUG = "demo"
DEMO_PASSWORD = "henshin-demo"  # noqa: S105  (the demo login the README prints)
ADMIN_EMAIL = "admin@demo.henshin.example"
AGENTS = [("sato@demo.henshin.example", "佐藤 花子", "ja"), ("tanaka@demo.henshin.example", "Tanaka Ken", "en")]
CHANNELS = [
    ("x", "@henshin_books (X)", "henshin_books"),
    ("instagram", "tea_cafe_henshin (Instagram)", "tea_cafe_henshin"),
    ("facebook", "Henshin Cosmetics (Facebook)", "henshincosme"),
    ("line", "ほうじ茶カフェ (LINE)", "@hojicha"),
    ("rss", "ブログ検索: henshin", None),
]


@dataclass(frozen=True)
class DemoWorkspace:
    workspace_id: int
    channel_ids: dict[str, int]
    created: bool


def ensure_demo_workspace(db: Session) -> DemoWorkspace:
    """Create the demo workspace once; later runs find it again."""
    existing = ws_repo.workspace_by_slug(db, DEMO_SLUG)
    if existing is not None:
        channels = {c.network: c.id for c in ch_repo.channels_of_workspace(db, existing.id)}
        return DemoWorkspace(existing.id, channels, created=False)
    ws = do_create_workspace(db, slug=DEMO_SLUG, name="Henshin Demo (返信デモ)", timezone="Asia/Tokyo")
    admin = do_create_user(db, email=ADMIN_EMAIL, name="Admin 管理者", password=DEMO_PASSWORD)
    do_add_member(db, workspace=ws, user=admin, role=Role.ADMIN, signature="返信デモの管理者です。")
    agent_ids = []
    for email, name, locale in AGENTS:
        user = do_create_user(db, email=email, name=name, password=DEMO_PASSWORD, locale=locale)
        do_add_member(db, workspace=ws, user=user, role=Role.AGENT, signature=f"担当の{name.split()[0]}です。")
        agent_ids.append(user.id)
    do_create_team(db, workspace_id=ws.id, name="CS 日本語", member_ids=agent_ids[:1])
    do_create_team(db, workspace_id=ws.id, name="CS English", member_ids=agent_ids[1:])
    channels = {}
    for network, name, handle in CHANNELS:
        channel = do_create_channel(db, workspace_id=ws.id, network=network, name=name, handle=handle)
        channels[network] = channel.id
    return DemoWorkspace(ws.id, channels, created=True)
