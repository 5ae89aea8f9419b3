"""The ``ticket_idle`` trigger: a worker job finds open tickets idle past a rule's minutes."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from henshin.db.session import Database
from henshin.kit.time import as_utc, utc_now
from henshin.rules import repository as repo
from henshin.rules.queries import compiled_rules
from henshin.rules.runner import run_rules

log = logging.getLogger(__name__)


def fire_idle_rules(database: Database, *, now: datetime | None = None, batch: int = 200) -> int:
    """Run ``ticket_idle`` rules on tickets idle long enough; each once per idle period."""
    now = now or utc_now()
    fired = 0
    with database.sessions() as db:
        workspace_ids = repo.workspaces_with_trigger(db, "ticket_idle")
    for workspace_id in workspace_ids:
        with database.sessions() as db:
            _rules, compiled = compiled_rules(db, workspace_id)
            minutes = [m.rule.idle_minutes for m in compiled.rules if m.rule.trigger == "ticket_idle"]
            if not minutes:
                continue
            idle = repo.idle_tickets(db, workspace_id, now - timedelta(minutes=min(m or 0 for m in minutes)), batch)
            candidates = [(t.id, as_utc(t.last_activity_at)) for t in idle]
        for ticket_id, last_activity in candidates:
            try:
                with database.unit_of_work() as db:
                    ticket = repo.ticket(db, workspace_id, ticket_id, lock=True)
                    if ticket is None or ticket.status != "open":
                        continue
                    key = f"idle:{last_activity.isoformat()}"
                    fired += len(run_rules(db, ticket=ticket, trigger="ticket_idle", fire_key=key, now=now))
            except Exception:
                log.exception("idle rules failed on ticket %s", ticket_id)
    return fired
