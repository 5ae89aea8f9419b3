"""Helpers for report tests: replay ticket actions at chosen times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from henshin.db.session import Database
from henshin.events.bus import Actor
from henshin.models import Ticket, Workspace
from henshin.tickets import actions


class Replay:
    """Ticket actions at given times, each committed like a request would."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def reply(self, ticket_id: int, at: datetime, *, user_id: int | None = None, rule_id: int | None = None,
              text: str = "ご連絡ありがとうございます。確認いたします。") -> None:
        actor = Actor.user(user_id) if user_id is not None else Actor.rule(rule_id or 1, "auto-reply")
        with self.database.unit_of_work() as db:
            ticket = db.get(Ticket, ticket_id)
            assert ticket is not None
            actions.do_reply(db, ticket, actor=actor, text=text, at=at)

    def close(self, ticket_id: int, at: datetime, *, user_id: int) -> None:
        with self.database.unit_of_work() as db:
            ticket = db.get(Ticket, ticket_id)
            assert ticket is not None
            actions.do_close(db, ticket, actor=Actor.user(user_id), at=at)

    def do(self, ticket_id: int, action: str, **kwargs: Any) -> None:
        with self.database.unit_of_work() as db:
            ticket = db.get(Ticket, ticket_id)
            assert ticket is not None
            getattr(actions, action)(db, ticket, **kwargs)

    def set_workspace(self, workspace_id: int, **values: Any) -> None:
        with self.database.unit_of_work() as db:
            workspace = db.get(Workspace, workspace_id)
            assert workspace is not None
            for key, value in values.items():
                setattr(workspace, key, value)
