"""Send a survey after a ticket closes (after commit, in its own unit of work)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from henshin.csat import repository as repo
from henshin.csat.actions import do_send_survey
from henshin.db.session import Database
from henshin.events.bus import Event
from henshin.events.names import HistoryType

_base_url = {"value": "http://127.0.0.1:8000"}


def configure(base_url: str) -> None:
    """Where the public survey page is served (the links point there)."""
    _base_url["value"] = base_url


def on_commit(events: list[Event], bind: Any) -> None:
    """A batch listener: each ticket closed in the transaction may get its survey."""
    closed = sorted({e.ticket_id for e in events
                     if e.ticket_id is not None and e.payload.get("change") == HistoryType.CLOSED.value})
    if not closed or bind is None:
        return
    engine = bind if isinstance(bind, Engine) else bind.engine
    with Database(engine).unit_of_work() as db:
        for ticket in repo.closed_tickets(db, closed):
            do_send_survey(db, ticket, base_url=_base_url["value"])
