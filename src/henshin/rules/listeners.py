"""Rules, SLAs and routing following committed changes (batch listeners on the bus).

Each runs after the triggering transaction committed, in its own unit of work on the
engine that committed it; a failure is logged per ticket and never reaches the ingest or
the request. Events caused by rules (``ActorType.RULE``) never trigger ``ticket_updated``
rules, and a depth counter bounds any other chain (rule → SLA → rule …).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine

from henshin.db.session import Database
from henshin.events.bus import ActorType, Event, subscribe_batch
from henshin.events.names import EventName
from henshin.rules import repository as repo
from henshin.rules.runner import MAX_DEPTH, run_rules

log = logging.getLogger(__name__)
_depth = threading.local()
# ticket.updated changes that are bookkeeping, not something a rule should react to.
QUIET_CHANGES = {"read", "rule", "outbound"}


def _database(bind: Any) -> Database | None:
    if bind is None:
        return None
    return Database(bind if isinstance(bind, Engine) else bind.engine)


def _jobs(events: list[Event]) -> list[tuple[int, int, str, str, int | None]]:
    """(workspace, ticket, trigger, fire key, engagement) for each event rules react to."""
    jobs: list[tuple[int, int, str, str, int | None]] = []
    seen: set[tuple[int, str]] = set()
    for event in events:
        if event.ticket_id is None:
            continue
        if event.name == EventName.ENGAGEMENT_RECEIVED:
            engagement_id = event.payload.get("engagement_id")
            if event.payload.get("result") in ("duplicate", "recorded"):
                continue
            jobs.append((event.workspace_id, event.ticket_id, "engagement_received",
                         f"engagement:{engagement_id}", engagement_id))
        elif event.name == EventName.TICKET_UPDATED:
            change = event.payload.get("change")
            if change == "sla":
                state = event.payload.get("state")
                trigger = "sla_breached" if state == "breached" else "sla_warning"
                key = f"sla:{event.payload.get('target')}:{state}:{event.payload.get('due_at')}"
                jobs.append((event.workspace_id, event.ticket_id, trigger, key, None))
            elif event.actor.type is not ActorType.RULE and change not in QUIET_CHANGES:
                if (event.ticket_id, "ticket_updated") in seen:
                    continue  # one evaluation per ticket per transaction
                seen.add((event.ticket_id, "ticket_updated"))
                jobs.append((event.workspace_id, event.ticket_id, "ticket_updated", "", None))
    return jobs


def on_commit(events: list[Event], bind: Any) -> None:
    """Batch listener: run the rules each committed event triggers."""
    jobs = _jobs(events)
    database = _database(bind)
    if not jobs or database is None:
        return
    depth = getattr(_depth, "value", 0)
    if depth >= MAX_DEPTH:
        log.warning("rule chain deeper than %d stopped (%d jobs dropped)", MAX_DEPTH, len(jobs))
        return
    _depth.value = depth + 1
    try:
        with database.sessions() as db:
            ruled = {wid for wid in {j[0] for j in jobs} if repo.rules_stamp(db, wid)[0]}
        for workspace_id, ticket_id, trigger, key, engagement_id in jobs:
            if workspace_id not in ruled:
                continue
            try:
                with database.unit_of_work() as db:
                    ticket = repo.ticket(db, workspace_id, ticket_id, lock=True)
                    if ticket is None:
                        continue
                    engagement = repo.engagement(db, workspace_id, engagement_id) if engagement_id else None
                    if trigger == "ticket_updated":
                        key = f"updated:{ticket.version}"
                    run_rules(db, ticket=ticket, trigger=trigger, fire_key=key, engagement=engagement)
            except Exception:  # rules must never fail the change that triggered them
                log.exception("rules failed on ticket %s (%s)", ticket_id, trigger)
    finally:
        _depth.value = depth


def subscribe_rules() -> None:
    """Run rules after every commit (idempotent)."""
    subscribe_batch(on_commit)
