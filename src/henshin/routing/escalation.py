"""Escalation L1 → L3 with a required hand-off note; de-escalation is recorded too.

L1 answers FAQs, L2 needs expertise or a personal answer, L3 is urgent (money, outage,
defect, flame risk). Where each level goes is workspace configuration
(``Workspace.settings["escalation"]``: per level a ``team_id`` and/or ``user_id``, a
``strategy`` for the team, and ``notify_emails`` / ``notify_slack_url``). The level stays
on the ticket (visible as escalated) until it is de-escalated.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from henshin.events.bus import Actor
from henshin.events.names import HistoryType
from henshin.kit.errors import InvalidInput
from henshin.models import Ticket, Workspace
from henshin.notifications.actions import do_queue_notification
from henshin.routing import repository as repo
from henshin.routing.assignment import do_auto_assign
from henshin.routing.strategies import STRATEGIES
from henshin.tickets import actions as ticket_actions
from henshin.tickets.history import record_change

LEVELS = ("L1", "L2", "L3")
LEVEL_WORDS = {"L1": "L1 (FAQ)", "L2": "L2 (expertise)", "L3": "L3 (urgent)"}


def check_level(level: str | None, *, allow_none: bool = False) -> str | None:
    if level is None and allow_none:
        return None
    if level not in LEVELS:
        raise InvalidInput(f"level is one of {', '.join(LEVELS)}, not {level!r}")
    return level


def check_escalation_config(db: Session, workspace_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Validate ``{"L2": {"team_id": 3, "strategy": "least_loaded", "notify_emails": [...]}, …}``."""
    out: dict[str, Any] = {}
    allowed = {"team_id", "user_id", "strategy", "notify_emails", "notify_slack_url"}
    for level, target in data.items():
        check_level(level)
        if not isinstance(target, dict):
            raise InvalidInput(f"{level} must be an object")
        unknown = set(target) - allowed
        if unknown:
            raise InvalidInput(f"{level}: unknown key(s) {sorted(unknown)}; use {', '.join(sorted(allowed))}")
        team_id, user_id = target.get("team_id"), target.get("user_id")
        if team_id is not None and repo.team(db, workspace_id, int(team_id)) is None:
            raise InvalidInput(f"{level}.team_id: team {team_id} does not exist in this workspace")
        if user_id is not None and repo.member(db, workspace_id, int(user_id)) is None:
            raise InvalidInput(f"{level}.user_id: user {user_id} is not a member of this workspace")
        strategy = target.get("strategy", "least_loaded")
        if strategy not in STRATEGIES:
            raise InvalidInput(f"{level}.strategy is one of {', '.join(STRATEGIES)}")
        emails = target.get("notify_emails", [])
        if not isinstance(emails, list) or not all(isinstance(e, str) and "@" in e for e in emails):
            raise InvalidInput(f"{level}.notify_emails must be a list of email addresses")
        url = target.get("notify_slack_url")
        if url is not None and not str(url).startswith(("http://", "https://")):
            raise InvalidInput(f"{level}.notify_slack_url must be an http(s) URL")
        out[level] = {**target, "strategy": strategy}
    return out


def escalation_config(workspace: Workspace | None) -> dict[str, Any]:
    return dict((workspace.settings or {}).get("escalation", {})) if workspace else {}


def do_escalate(
    db: Session,
    ticket: Ticket,
    *,
    level: str,
    note: str,
    actor: Actor,
    steps_taken: str | None = None,
    customer_said: str | None = None,
    key_prefix: str | None = None,
) -> str:
    """Escalate: hand-off note, level on the ticket, move to the level's owner, notify them."""
    check_level(level)
    if not note.strip():
        raise InvalidInput("escalating needs a hand-off note (steps taken, what the customer said)")
    previous = ticket.escalation_level
    handoff = [f"【{LEVEL_WORDS[level]} へエスカレーション / escalated to {level}】", note.strip()]
    if steps_taken:
        handoff.append(f"対応済み / steps taken: {steps_taken.strip()}")
    if customer_said:
        handoff.append(f"お客様の声 / customer said: {customer_said.strip()}")
    ticket_actions.do_add_note(db, ticket, actor=actor, text="\n".join(handoff))
    ticket.escalation_level = level
    record_change(db, ticket, HistoryType.ESCALATED, actor, {
        "level": level, "previous": previous, "note": note.strip(),
        "steps_taken": steps_taken, "customer_said": customer_said,
    })
    target = escalation_config(repo.workspace(db, ticket.workspace_id)).get(level, {})
    moved = "no owner configured for this level"
    if target.get("user_id") is not None:
        ticket_actions.do_assign(db, ticket, actor=actor, user_id=int(target["user_id"]),
                                 team_id=int(target["team_id"]) if target.get("team_id") else None,
                                 reason=f"escalated to {level}")
        moved = f"assigned to user {target['user_id']}"
    elif target.get("team_id") is not None:
        moved = do_auto_assign(db, ticket, team_id=int(target["team_id"]), strategy=target["strategy"],
                               actor=actor, via=f"escalated to {level}")
    key = key_prefix or f"escalate-{ticket.id}-{uuid.uuid4()}"
    text = f"#{ticket.id} {ticket.subject} → {level}\n{note.strip()}\n{moved}"
    if target.get("notify_emails"):
        do_queue_notification(db, workspace_id=ticket.workspace_id, ticket_id=ticket.id, kind="email",
                              target=",".join(target["notify_emails"]), key=f"{key}-email",
                              subject=f"[henshin] エスカレーション {level}: #{ticket.id}", text=text)
    if target.get("notify_slack_url"):
        do_queue_notification(db, workspace_id=ticket.workspace_id, ticket_id=ticket.id, kind="slack",
                              target=target["notify_slack_url"], key=f"{key}-slack", text=text)
    return moved


def do_deescalate(db: Session, ticket: Ticket, *, actor: Actor, note: str, level: str | None = None) -> None:
    """Lower the level (to ``level``, or clear it); recorded with its note."""
    check_level(level, allow_none=True)
    previous = ticket.escalation_level
    if previous is None:
        raise InvalidInput(f"ticket {ticket.id} is not escalated")
    if level is not None and LEVELS.index(level) >= LEVELS.index(previous):
        raise InvalidInput(f"de-escalating goes below {previous}; {level} is not lower")
    if not note.strip():
        raise InvalidInput("de-escalating needs a note saying why")
    ticket.escalation_level = level
    record_change(db, ticket, HistoryType.DEESCALATED, actor,
                  {"level": level, "previous": previous, "note": note.strip()})
