"""Running rules on a trigger: match, then carry out each allow-listed action, logging all.

`run_rule_jobs` evaluates the workspace's compiled rules for a batch of jobs (tickets and
the engagements that triggered them) in one unit of work, and records a `RuleRun` per
matched rule — unique per occasion (``fire_key``), so the same engagement or idle period
never fires a rule twice. Each job runs in a savepoint; its actions run together in a
nested one and, should any fail, again each in its own: a failing action is logged as an
error and never blocks the others. Actions act as ``Actor.rule(id, name)``; events caused
by rules do not trigger ``ticket_updated`` rules again, and `MAX_DEPTH` bounds any other
chain.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from henshin.events.bus import PENDING_KEY, Actor
from henshin.events.names import HistoryType
from henshin.kit.errors import HenshinError
from henshin.kit.time import utc_now
from henshin.models import Contact, Engagement, RuleActionLog, RuleRun, Ticket, Workspace
from henshin.rules import repository as repo
from henshin.rules.actions_schema import RuleAction
from henshin.rules.executors import EXECUTORS, ActionContext
from henshin.rules.matcher import CompiledRuleSet
from henshin.rules.queries import compiled_rules
from henshin.rules.schema import RuleSpec
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
    ticket_id: int
    actions: list[ActionResult]


@dataclass(frozen=True)
class RuleJob:
    """One occasion to run one trigger's rules on one ticket.

    ``fire_key`` names the occasion (``engagement:42``, ``sla:first_response:…``); a rule
    runs at most once per ticket and key. An empty key on ``ticket_updated`` stands for
    the ticket's current version, read once the ticket is loaded.
    """

    ticket_id: int
    trigger: str
    fire_key: str
    engagement_id: int | None = None


def run_rule_jobs(db: Session, workspace_id: int, jobs: Sequence[RuleJob],
                  *, now: datetime | None = None) -> list[FiredRule]:
    """Run a batch of jobs of one workspace in ``db``'s transaction: one unit of work for all.

    What every job needs is read in a handful of queries for the whole batch (tickets,
    locked in id order on PostgreSQL; engagements; contacts; tags; runs already done).
    Each job runs in its own savepoint — a job that fails is rolled back and logged alone,
    and the batch goes on — and its actions in a nested one, or, should an action fail,
    each in its own (see `_Batch._act`).
    """
    now = now or utc_now()
    _rules, compiled = compiled_rules(db, workspace_id)
    if not len(compiled) or not jobs:
        return []
    tickets = repo.tickets_of_workspace(db, workspace_id, [job.ticket_id for job in jobs], lock=True)
    engagements = repo.engagements_by_ids(db, workspace_id, [j.engagement_id for j in jobs if j.engagement_id])
    contacts = repo.contacts_by_ids(db, [t.contact_id for t in tickets.values() if t.contact_id is not None])
    tags = repo.tag_names(db, list(tickets))
    workspace = repo.workspace(db, workspace_id)
    batch = _Batch(db, now, workspace, tags)
    batch.read_fired({(job.ticket_id, job.fire_key[:200]) for job in jobs if job.fire_key})
    fired: list[FiredRule] = []
    for job in jobs:
        ticket = tickets.get(job.ticket_id)
        if ticket is None:
            continue
        engagement = engagements.get(job.engagement_id) if job.engagement_id else None
        contact = contacts.get(ticket.contact_id) if ticket.contact_id is not None else None
        pending = db.info.setdefault(PENDING_KEY, [])
        published = len(pending)
        try:
            with db.begin_nested():
                fired += batch.run(compiled, job, ticket, engagement, contact)
        except Exception:  # one job's failure never blocks the others, nor the ingest
            log.exception("rules failed on ticket %s (%s)", job.ticket_id, job.trigger)
            del pending[published:]  # what the failed job announced was rolled back
            batch.forget(job.ticket_id)
    return fired


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
    job = RuleJob(ticket.id, trigger, fire_key, engagement.id if engagement is not None else None)
    return run_rule_jobs(db, ticket.workspace_id, [job], now=now)


class _Batch:
    """What the jobs of one batch share: the moment, the workspace, tags and runs done."""

    def __init__(self, db: Session, now: datetime, workspace: Workspace | None, tags: dict[int, set[str]]) -> None:
        self.db, self.now, self.workspace, self.tags = db, now, workspace, tags
        self.done: set[tuple[int, int, str]] = set()  # (rule, ticket, key) run
        self.read: set[tuple[int, str]] = set()  # (ticket, key) whose runs are in ``done``

    def read_fired(self, occasions: set[tuple[int, str]]) -> None:
        """Load the runs already done for these (ticket, key) occasions."""
        self.done |= repo.fired_keys(self.db, [t for t, _ in occasions], [k for _, k in occasions])
        self.read |= occasions

    def fired(self, rule_id: int, ticket_id: int, key: str) -> bool:
        if (ticket_id, key) not in self.read:
            self.read_fired({(ticket_id, key)})
        return (rule_id, ticket_id, key) in self.done

    def forget(self, ticket_id: int) -> None:
        """Read the ticket's tags again next time: an action (or a rollback) changed them."""
        self.tags.pop(ticket_id, None)

    def tags_of(self, ticket_id: int) -> set[str]:
        if ticket_id not in self.tags:
            self.tags[ticket_id] = repo.tag_names(self.db, [ticket_id])[ticket_id]
        return self.tags[ticket_id]

    def run(self, compiled: CompiledRuleSet, job: RuleJob, ticket: Ticket, engagement: Engagement | None,
            contact: Contact | None) -> list[FiredRule]:
        db, now, trigger = self.db, self.now, job.trigger
        if engagement is None:
            engagement = repo.latest_inbound(db, ticket.id)
        fire_key = (job.fire_key or f"updated:{ticket.version}")[:200]
        subject = build_subject(ticket=ticket, engagement=engagement, contact=contact,
                                tags=self.tags_of(ticket.id), workspace=self.workspace, now=now)
        # Which rules fire is settled before any of them acts (idle time included), so their
        # runs are written together: one INSERT for all, not one flush per rule.
        firing = []
        for matched in compiled.match(subject, trigger=trigger):
            rule_id = int(matched.rule_id)
            spec = matched.rule
            if trigger == "ticket_idle" and spec.idle_minutes is not None:
                if (now - ticket.last_activity_at).total_seconds() < spec.idle_minutes * 60:
                    continue
            if self.fired(rule_id, ticket.id, fire_key):
                continue  # already fired for this occasion
            self.done.add((rule_id, ticket.id, fire_key))
            run = RuleRun(workspace_id=ticket.workspace_id, rule_id=rule_id, ticket_id=ticket.id,
                          engagement_id=engagement.id if engagement else None, trigger=trigger, fire_key=fire_key)
            firing.append((rule_id, spec, run))
        if not firing:
            return []
        db.add_all([run for _, _, run in firing])
        db.flush()
        pending = db.info.setdefault(PENDING_KEY, [])
        published = len(pending)
        tags = set(self.tags_of(ticket.id))
        try:  # the common case, nothing fails: all actions in one savepoint, tags kept in memory
            with db.begin_nested():
                fired = self._act(firing, ticket, engagement, contact, trigger, tags=tags)
            self.tags[ticket.id] = tags
            return fired
        except Exception:  # noqa: S110 - not lost: run again below, one savepoint per action
            del pending[published:]  # what the rolled-back actions announced
        self.forget(ticket.id)  # read again: what the isolated actions leave is known only there
        return self._act(firing, ticket, engagement, contact, trigger, tags=None)

    def _act(self, firing: list[tuple[int, RuleSpec, RuleRun]], ticket: Ticket, engagement: Engagement | None,
             contact: Contact | None, trigger: str, *, tags: set[str] | None) -> list[FiredRule]:
        """Carry out the firing rules' actions and log each, with the history line per rule.

        Given the ticket's ``tags`` (kept up to date by the tag actions, so adding one costs no
        lookup), an action's failure propagates: the caller rolls all back and runs them again
        isolated (actions only write rows — outbound work is queued, not sent — so running
        them again is safe). Isolated (``tags`` None), each action has its own savepoint and a
        failing one is logged as an error while the others take effect.
        """
        isolated = tags is None
        db = self.db
        fired: list[FiredRule] = []
        for rule_id, spec, run in firing:
            actor = Actor.rule(rule_id, spec.name)
            results: list[ActionResult] = []
            for index, action in enumerate(spec.actions):
                ctx = ActionContext(db=db, ticket=ticket, engagement=engagement, contact=contact,
                                    workspace=self.workspace, actor=actor, rule_name=spec.name, run_id=run.id,
                                    index=index, now=self.now, tags=tags)
                results.append(_carry_out(ctx, action, rule_id, isolated=isolated))
            record_change(db, ticket, HistoryType.RULE, actor, {
                "rule_id": rule_id, "rule_name": spec.name, "trigger": trigger,
                "actions": [{"action": r.action, "result": r.result, "message": r.message} for r in results],
            })
            fired.append(FiredRule(rule_id, spec.name, ticket.id, results))
        db.flush()
        return fired


def _carry_out(ctx: ActionContext, action: RuleAction, rule_id: int, *, isolated: bool) -> ActionResult:
    kind = str(action.type)
    if not isolated:
        outcome = EXECUTORS[kind](ctx, action)
        return _logged(ctx, rule_id, kind, "ok", outcome.message, outcome.tags)
    pending = ctx.db.info.setdefault(PENDING_KEY, [])
    published = len(pending)
    try:
        with ctx.db.begin_nested():
            outcome = EXECUTORS[kind](ctx, action)
            ctx.db.flush()
        return _logged(ctx, rule_id, kind, "ok", outcome.message, outcome.tags)
    except HenshinError as exc:
        del pending[published:]  # what the failed action announced was rolled back
        return _logged(ctx, rule_id, kind, "error", exc.message, [])
    except Exception as exc:  # a failing action never blocks the others or the ingest
        log.exception("rule %s action %s failed on ticket %s", rule_id, kind, ctx.ticket.id)
        del pending[published:]
        return _logged(ctx, rule_id, kind, "error", f"{type(exc).__name__}: {exc}", [])


def _logged(ctx: ActionContext, rule_id: int, kind: str, result: str, message: str, tags: list[str]) -> ActionResult:
    ctx.db.add(RuleActionLog(workspace_id=ctx.ticket.workspace_id, rule_id=rule_id, run_id=ctx.run_id,
                             ticket_id=ctx.ticket.id, action=kind, result=result, message=message[:2000],
                             tags=tags, created_at=ctx.now))
    return ActionResult(kind, result, message)
