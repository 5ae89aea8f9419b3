"""Every select() over rules, their runs and their action log, and what the runner reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from henshin.kit.errors import NotFound
from henshin.models import (
    Contact,
    Engagement,
    Rule,
    RuleActionLog,
    RuleRun,
    SavedReply,
    Ticket,
    TicketTag,
    Workspace,
)


def rules_of_workspace(db: Session, workspace_id: int) -> Sequence[Rule]:
    """All rules of a workspace in evaluation order."""
    return db.scalars(
        select(Rule).where(Rule.workspace_id == workspace_id).order_by(Rule.position, Rule.id)
    ).all()


def get_rule(db: Session, workspace_id: int, rule_id: int) -> Rule:
    """The workspace's rule or ``NotFound``."""
    rule = db.scalar(select(Rule).where(Rule.id == rule_id, Rule.workspace_id == workspace_id))
    if rule is None:
        raise NotFound(f"rule {rule_id} not found")
    return rule


def rules_stamp(db: Session, workspace_id: int) -> tuple[Any, ...]:
    """(count, last update, highest id): changes whenever the workspace's rules do."""
    row = db.execute(
        select(func.count(Rule.id), func.max(Rule.updated_at), func.max(Rule.id)).where(
            Rule.workspace_id == workspace_id
        )
    ).one()
    return tuple(row)


def workspaces_with_trigger(db: Session, trigger: str) -> list[int]:
    """Workspaces having an enabled rule of this trigger."""
    return list(
        db.scalars(
            select(Rule.workspace_id).where(Rule.trigger == trigger, Rule.enabled.is_(True)).distinct()
        )
    )


def workspace(db: Session, workspace_id: int) -> Workspace | None:
    return db.get(Workspace, workspace_id)


def ticket(db: Session, workspace_id: int, ticket_id: int, *, lock: bool = False) -> Ticket | None:
    query = select(Ticket).where(Ticket.id == ticket_id, Ticket.workspace_id == workspace_id)
    if lock and db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.scalar(query)


def tickets_of_workspace(db: Session, workspace_id: int, ticket_ids: Sequence[int], *,
                         lock: bool = False) -> dict[int, Ticket]:
    """The workspace's tickets among ``ticket_ids``; locked in id order (no deadlock) if asked."""
    if not ticket_ids:
        return {}
    query = select(Ticket).where(Ticket.id.in_(set(ticket_ids)), Ticket.workspace_id == workspace_id)
    if lock and db.get_bind().dialect.name == "postgresql":
        query = query.order_by(Ticket.id).with_for_update()
    return {t.id: t for t in db.scalars(query)}


def engagements_by_ids(db: Session, workspace_id: int, ids: Sequence[int]) -> dict[int, Engagement]:
    if not ids:
        return {}
    query = select(Engagement).where(Engagement.id.in_(set(ids)), Engagement.workspace_id == workspace_id)
    return {e.id: e for e in db.scalars(query)}


def engagement(db: Session, workspace_id: int, engagement_id: int) -> Engagement | None:
    return db.scalar(
        select(Engagement).where(Engagement.id == engagement_id, Engagement.workspace_id == workspace_id)
    )


def latest_inbound(db: Session, ticket_id: int) -> Engagement | None:
    """The customer's latest message on a ticket."""
    return db.scalar(
        select(Engagement)
        .where(Engagement.ticket_id == ticket_id, Engagement.direction == "inbound")
        .order_by(Engagement.created_at.desc(), Engagement.id.desc())
        .limit(1)
    )


def contact(db: Session, contact_id: int | None) -> Contact | None:
    return None if contact_id is None else db.get(Contact, contact_id)


def contacts_by_ids(db: Session, ids: Sequence[int]) -> dict[int, Contact]:
    if not ids:
        return {}
    return {c.id: c for c in db.scalars(select(Contact).where(Contact.id.in_(set(ids))))}


def tag_names(db: Session, ticket_ids: Sequence[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {tid: set() for tid in ticket_ids}
    if ticket_ids:
        for tid, name in db.execute(
            select(TicketTag.ticket_id, TicketTag.name).where(TicketTag.ticket_id.in_(ticket_ids))
        ):
            out[tid].add(name)
    return out


def tickets_by_ids(db: Session, ids: Sequence[int]) -> dict[int, Ticket]:
    if not ids:
        return {}
    return {t.id: t for t in db.scalars(select(Ticket).where(Ticket.id.in_(set(ids))))}


def recent_engagements(db: Session, workspace_id: int, since: datetime, limit: int) -> Sequence[Engagement]:
    """Inbound engagements created since ``since`` (the dry run's sample), newest first."""
    return db.scalars(
        select(Engagement)
        .where(
            Engagement.workspace_id == workspace_id,
            Engagement.direction == "inbound",
            Engagement.created_at >= since,
        )
        .order_by(Engagement.created_at.desc(), Engagement.id.desc())
        .limit(limit)
    ).all()


def idle_tickets(db: Session, workspace_id: int, before: datetime, limit: int) -> Sequence[Ticket]:
    """Open tickets whose last activity is older than ``before``, oldest first."""
    return db.scalars(
        select(Ticket)
        .where(
            Ticket.workspace_id == workspace_id,
            Ticket.status == "open",
            Ticket.last_activity_at <= before,
        )
        .order_by(Ticket.last_activity_at)
        .limit(limit)
    ).all()


def fired_keys(db: Session, ticket_ids: Sequence[int], keys: Sequence[str]) -> set[tuple[int, int, str]]:
    """(rule, ticket, fire key) already run, among these tickets and occasions."""
    if not ticket_ids or not keys:
        return set()
    rows = db.execute(
        select(RuleRun.rule_id, RuleRun.ticket_id, RuleRun.fire_key).where(
            RuleRun.ticket_id.in_(set(ticket_ids)), RuleRun.fire_key.in_(set(keys))
        )
    )
    return {(r, t, k) for r, t, k in rows}


def saved_reply(db: Session, workspace_id: int, saved_reply_id: int) -> SavedReply | None:
    return db.scalar(
        select(SavedReply).where(SavedReply.id == saved_reply_id, SavedReply.workspace_id == workspace_id)
    )


def action_log(db: Session, workspace_id: int, *, rule_id: int | None = None, ticket_id: int | None = None,
               limit: int = 100) -> Sequence[RuleActionLog]:
    query = select(RuleActionLog).where(RuleActionLog.workspace_id == workspace_id)
    if rule_id is not None:
        query = query.where(RuleActionLog.rule_id == rule_id)
    if ticket_id is not None:
        query = query.where(RuleActionLog.ticket_id == ticket_id)
    return db.scalars(query.order_by(RuleActionLog.id.desc()).limit(limit)).all()


def action_log_count(db: Session, workspace_id: int) -> int:
    """How many rule actions the workspace has logged."""
    return int(db.scalar(select(func.count(RuleActionLog.id)).where(RuleActionLog.workspace_id == workspace_id)) or 0)


def action_counts(db: Session, workspace_id: int, since: datetime,
                  rule_id: int | None = None) -> list[tuple[int, str, str, datetime]]:
    """(rule, action, result, at) of every logged action since ``since``."""
    query = select(
        RuleActionLog.rule_id, RuleActionLog.action, RuleActionLog.result, RuleActionLog.created_at
    ).where(RuleActionLog.workspace_id == workspace_id, RuleActionLog.created_at >= since)
    if rule_id is not None:
        query = query.where(RuleActionLog.rule_id == rule_id)
    return [(r, a, res, at) for r, a, res, at in db.execute(query)]


def tag_log(db: Session, workspace_id: int, since: datetime) -> list[tuple[int, list[str], datetime]]:
    """(rule, tags, at) of every successful tag action since ``since``."""
    rows = db.execute(
        select(RuleActionLog.rule_id, RuleActionLog.tags, RuleActionLog.created_at).where(
            RuleActionLog.workspace_id == workspace_id,
            RuleActionLog.created_at >= since,
            RuleActionLog.action == "tag",
            RuleActionLog.result == "ok",
        )
    )
    return [(r, list(tags or []), at) for r, tags, at in rows]


def runs_count(db: Session, workspace_id: int, rule_ids: Sequence[int]) -> dict[int, int]:
    if not rule_ids:
        return {}
    rows = db.execute(
        select(RuleRun.rule_id, func.count(RuleRun.id))
        .where(RuleRun.workspace_id == workspace_id, RuleRun.rule_id.in_(rule_ids))
        .group_by(RuleRun.rule_id)
    )
    return {r: n for r, n in rows}
