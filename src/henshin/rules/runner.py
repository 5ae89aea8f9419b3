"""Running rules on a trigger: match, then carry out each allow-listed action, logging all.

`run_rules` evaluates the workspace's compiled rules for one ticket (and the engagement
that triggered them), records a `RuleRun` per matched rule — unique per occasion
(``fire_key``), so the same engagement or idle period never fires a rule twice — and runs
each action in its own savepoint: a failing action is logged as an error and never blocks
the others. Actions act as ``Actor.rule(id, name)``; events caused by rules do not
trigger ``ticket_updated`` rules again, and `MAX_DEPTH` bounds any other chain.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from henshin.events.bus import PENDING_KEY, Actor
from henshin.events.names import HistoryType
from henshin.kit.errors import HenshinError
from henshin.kit.time import utc_now
from henshin.models import Engagement, RuleActionLog, RuleRun, Ticket
from henshin.rules import repository as repo
from henshin.rules.actions_schema import RuleAction
from henshin.rules.executors import EXECUTORS, ActionContext
from henshin.rules.queries import compiled_rules
from henshin.rules.subjects import build_subject
from henshin.tickets.history import record_change

log = logging.getLogger(__name__)
MAX_DEPTH = 3


@dataclass(frozen=True)
class ActionResult:
    action: str
    result: str  # ok | error
    message: str


@dataclass(frozen=True)
class FiredRule:
    rule_id: int
    name: str
    actions: list[ActionResult]


def run_rules(
    db: Session,
    *,
    ticket: Ticket,
    trigger: str,
    fire_key: str,
    engagement: Engagement | None = None,
    now: datetime | None = None,
) -> list[FiredRule]:
    """Evaluate ``trigger``'s rules on ``ticket`` and carry out the matched rules' actions."""
    now = now or utc_now()
    _rules, compiled = compiled_rules(db, ticket.workspace_id)
    if not len(compiled):
        return []
    if engagement is None:
        engagement = repo.latest_inbound(db, ticket.id)
    contact = repo.contact(db, ticket.contact_id)
    workspace = repo.workspace(db, ticket.workspace_id)
    tags = repo.tag_names(db, [ticket.id])[ticket.id]
    subject = build_subject(ticket=ticket, engagement=engagement, contact=contact, tags=tags,
                            workspace=workspace, now=now)
    fired: list[FiredRule] = []
    matches = compiled.match(subject, trigger=trigger)
    if not matches:
        return []
    # The ticket row is locked (PostgreSQL) by the caller, so this check and the inserts
    # below cannot race another runner; the unique key still guards against a double run.
    done = repo.fired_keys(db, [int(m.rule_id) for m in matches], [ticket.id])
    for matched in matches:
        rule_id = int(matched.rule_id)
        spec = matched.rule
        if trigger == "ticket_idle" and spec.idle_minutes is not None:
            if (now - ticket.last_activity_at).total_seconds() < spec.idle_minutes * 60:
                continue
        if (rule_id, ticket.id, fire_key[:200]) in done:
            continue  # already fired for this occasion
        run = _record_run(db, ticket, rule_id, trigger, fire_key, engagement)
        actor = Actor.rule(rule_id, spec.name)
        results: list[ActionResult] = []
        for index, action in enumerate(spec.actions):
            ctx = ActionContext(db=db, ticket=ticket, engagement=engagement, contact=contact, workspace=workspace,
                                actor=actor, rule_name=spec.name, run_id=run.id, index=index, now=now)
            results.append(_carry_out(ctx, action, rule_id))
        record_change(db, ticket, HistoryType.RULE, actor, {
            "rule_id": rule_id, "rule_name": spec.name, "trigger": trigger,
            "actions": [{"action": r.action, "result": r.result, "message": r.message} for r in results],
        })
        fired.append(FiredRule(rule_id, spec.name, results))
    db.flush()
    return fired


def _record_run(db: Session, ticket: Ticket, rule_id: int, trigger: str, fire_key: str,
                engagement: Engagement | None) -> RuleRun:
    run = RuleRun(workspace_id=ticket.workspace_id, rule_id=rule_id, ticket_id=ticket.id,
                  engagement_id=engagement.id if engagement else None, trigger=trigger, fire_key=fire_key[:200])
    db.add(run)
    db.flush()
    return run


def _carry_out(ctx: ActionContext, action: RuleAction, rule_id: int) -> ActionResult:
    kind = str(action.type)
    tags: list[str] = []
    pending = ctx.db.info.setdefault(PENDING_KEY, [])
    published = len(pending)
    try:
        with ctx.db.begin_nested():
            outcome = EXECUTORS[kind](ctx, action)
            ctx.db.flush()
        result, message, tags = "ok", outcome.message, outcome.tags
    except HenshinError as exc:
        result, message = "error", exc.message
        del pending[published:]  # what the failed action announced was rolled back
    except Exception as exc:  # a failing action never blocks the others or the ingest
        log.exception("rule %s action %s failed on ticket %s", rule_id, kind, ctx.ticket.id)
        result, message = "error", f"{type(exc).__name__}: {exc}"
        del pending[published:]
    ctx.db.add(RuleActionLog(workspace_id=ctx.ticket.workspace_id, rule_id=rule_id, run_id=ctx.run_id,
                             ticket_id=ctx.ticket.id, action=kind, result=result, message=message[:2000],
                             tags=tags, created_at=ctx.now))
    return ActionResult(kind, result, message)
