"""Every select() of routing, escalation and SLAs: members, loads, shifts, cursors, clocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from henshin.models import (
    AgentShift,
    Membership,
    RoundRobinCursor,
    SlaAlert,
    SlaPolicy,
    Team,
    TeamMember,
    Ticket,
    TicketSlaClock,
    User,
    Workspace,
)


def _locking(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def team(db: Session, workspace_id: int, team_id: int) -> Team | None:
    return db.scalar(select(Team).where(Team.id == team_id, Team.workspace_id == workspace_id))


def workspace(db: Session, workspace_id: int) -> Workspace | None:
    return db.get(Workspace, workspace_id)


def team_members(db: Session, workspace_id: int, team_id: int) -> list[tuple[User, Membership]]:
    """The team's members with their workspace membership, by user id."""
    rows = db.execute(
        select(User, Membership)
        .join(TeamMember, TeamMember.user_id == User.id)
        .join(Membership, (Membership.user_id == User.id) & (Membership.workspace_id == workspace_id))
        .where(TeamMember.team_id == team_id)
        .order_by(User.id)
    )
    return [(u, m) for u, m in rows]


def member(db: Session, workspace_id: int, user_id: int) -> tuple[User, Membership] | None:
    row = db.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, User.id == user_id)
    ).first()
    return (row[0], row[1]) if row else None


def teams_of_user(db: Session, workspace_id: int, user_id: int) -> list[int]:
    return list(db.scalars(
        select(TeamMember.team_id).join(Team, Team.id == TeamMember.team_id)
        .where(Team.workspace_id == workspace_id, TeamMember.user_id == user_id)
    ))


def open_loads(db: Session, workspace_id: int, user_ids: Sequence[int]) -> dict[int, int]:
    """Open (not snoozed, not closed) tickets assigned to each user."""
    if not user_ids:
        return {}
    rows = db.execute(
        select(Ticket.assignee_user_id, func.count(Ticket.id))
        .where(Ticket.workspace_id == workspace_id, Ticket.status == "open",
               Ticket.assignee_user_id.in_(user_ids))
        .group_by(Ticket.assignee_user_id)
    )
    loads = {uid: 0 for uid in user_ids}
    loads.update({uid: n for uid, n in rows if uid is not None})
    return loads


def shifts(db: Session, workspace_id: int, user_ids: Sequence[int]) -> dict[int, AgentShift]:
    if not user_ids:
        return {}
    rows = db.scalars(select(AgentShift).where(AgentShift.workspace_id == workspace_id,
                                               AgentShift.user_id.in_(user_ids)))
    return {row.user_id: row for row in rows}


def cursor(db: Session, team_id: int) -> RoundRobinCursor:
    """The team's round-robin cursor, row-locked on PostgreSQL (created on first use)."""
    query = select(RoundRobinCursor).where(RoundRobinCursor.team_id == team_id)
    if _locking(db):
        query = query.with_for_update()
    row = db.scalar(query)
    if row is None:
        db.add(RoundRobinCursor(team_id=team_id))
        db.flush()
        row = db.scalar(query)
        assert row is not None
    return row


def oldest_waiting_unassigned(db: Session, workspace_id: int, team_ids: Sequence[int], limit: int) -> list[Ticket]:
    """Open tickets of these teams with nobody assigned, the longest-waiting first."""
    if not team_ids:
        return []
    query = (
        select(Ticket)
        .where(Ticket.workspace_id == workspace_id, Ticket.status == "open",
               Ticket.assignee_user_id.is_(None), Ticket.assignee_team_id.in_(team_ids))
        .order_by(func.coalesce(Ticket.waiting_since, Ticket.created_at), Ticket.id)
        .limit(limit)
    )
    if _locking(db):
        query = query.with_for_update(skip_locked=True)
    return list(db.scalars(query))


def ticket(db: Session, workspace_id: int, ticket_id: int, *, lock: bool = False) -> Ticket | None:
    query = select(Ticket).where(Ticket.id == ticket_id, Ticket.workspace_id == workspace_id)
    if lock and _locking(db):
        query = query.with_for_update()
    return db.scalar(query)


# -- SLAs ----------------------------------------------------------------------------


def sla_policies(db: Session, workspace_id: int, *, enabled_only: bool = False) -> Sequence[SlaPolicy]:
    query = select(SlaPolicy).where(SlaPolicy.workspace_id == workspace_id)
    if enabled_only:
        query = query.where(SlaPolicy.enabled.is_(True))
    return db.scalars(query.order_by(SlaPolicy.position, SlaPolicy.id)).all()


def sla_policy(db: Session, workspace_id: int, policy_id: int) -> SlaPolicy | None:
    return db.scalar(select(SlaPolicy).where(SlaPolicy.id == policy_id, SlaPolicy.workspace_id == workspace_id))


def workspaces_with_sla(db: Session, workspace_ids: Sequence[int]) -> set[int]:
    if not workspace_ids:
        return set()
    return set(db.scalars(select(SlaPolicy.workspace_id).where(
        SlaPolicy.workspace_id.in_(workspace_ids), SlaPolicy.enabled.is_(True)).distinct()))


def tickets_by_ids(db: Session, ids: Sequence[int]) -> list[Ticket]:
    if not ids:
        return []
    return list(db.scalars(select(Ticket).where(Ticket.id.in_(set(ids))).order_by(Ticket.id)))


def sla_clocks(db: Session, ticket_ids: Sequence[int]) -> dict[int, TicketSlaClock]:
    if not ticket_ids:
        return {}
    return {c.ticket_id: c for c in db.scalars(select(TicketSlaClock).where(TicketSlaClock.ticket_id.in_(ticket_ids)))}


def tickets_due_before(db: Session, moment: datetime, limit: int) -> list[Ticket]:
    """Open or snoozed tickets with any SLA due time at or before ``moment``."""
    query = (
        select(Ticket)
        .where(Ticket.status != "closed")
        .where(
            (Ticket.sla_first_response_due_at <= moment)
            | (Ticket.sla_next_response_due_at <= moment)
            | (Ticket.sla_resolution_due_at <= moment)
        )
        .order_by(Ticket.id)
        .limit(limit)
    )
    return list(db.scalars(query))


def raised_alerts(db: Session, ticket_ids: Sequence[int]) -> set[tuple[int, str, str, datetime]]:
    if not ticket_ids:
        return set()
    rows = db.execute(select(SlaAlert.ticket_id, SlaAlert.target, SlaAlert.state, SlaAlert.due_at)
                      .where(SlaAlert.ticket_id.in_(ticket_ids)))
    return {(t, target, state, due) for t, target, state, due in rows}
