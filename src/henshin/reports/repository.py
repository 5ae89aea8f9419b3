"""Every select() the reports make: facts, the history they derive from, the filters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Table, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from henshin.kit.time import utc_now
from henshin.models import (
    Channel,
    Membership,
    Team,
    Ticket,
    TicketEvent,
    TicketFact,
    TicketTag,
    User,
    Workspace,
)
from henshin.reports.facts import FactEvent, FactTicket
from henshin.reports.schemas import GroupBy, ReportFilter

# The fact column behind each grouping (tag and the time groups are handled apart).
FACT_KEYS: dict[GroupBy, Any] = {
    GroupBy.AGENT: TicketFact.agent_id,
    GroupBy.TEAM: TicketFact.team_id,
    GroupBy.NETWORK: TicketFact.network,
    GroupBy.KIND: TicketFact.kind,
    GroupBy.CHANNEL: TicketFact.channel_id,
    GroupBy.PRIORITY: TicketFact.priority,
    GroupBy.LANGUAGE: TicketFact.language,
    GroupBy.SENTIMENT: TicketFact.sentiment,
    GroupBy.DAY: TicketFact.created_day,
    GroupBy.HOUR: TicketFact.created_hour,
    GroupBy.WEEKDAY: TicketFact.created_weekday,
}


def workspaces(db: Session, ids: Sequence[int]) -> dict[int, Workspace]:
    return {w.id: w for w in db.scalars(select(Workspace).where(Workspace.id.in_(ids)))}


def workspace_by_slug(db: Session, slug: str) -> Workspace | None:
    return db.scalar(select(Workspace).where(Workspace.slug == slug))


def all_workspace_ids(db: Session) -> list[int]:
    return list(db.scalars(select(Workspace.id).order_by(Workspace.id)))


def tickets_for_facts(db: Session, ids: Sequence[int], *, lock: bool = False) -> list[FactTicket]:
    """The tickets to recompute; on PostgreSQL locked, so two recomputes of one ticket queue."""
    query = select(*(getattr(Ticket, name) for name in FactTicket._fields)).where(Ticket.id.in_(ids)).order_by(Ticket.id)
    if lock and db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return [FactTicket._make(row) for row in db.connection().execute(query)]


def rebuild_requests(db: Session) -> list[tuple[int, datetime]]:
    """(workspace, when its business hours changed) for the workspaces awaiting a recompute."""
    rows = db.execute(select(Workspace.id, Workspace.reports_rebuild_requested_at)
                      .where(Workspace.reports_rebuild_requested_at.is_not(None)).order_by(Workspace.id))
    return [(wid, at) for wid, at in rows if at is not None]


def clear_rebuild_request(db: Session, workspace_id: int, mark: datetime) -> None:
    """Mark the workspace recomputed, unless its hours changed again since ``mark``."""
    db.execute(update(Workspace).where(Workspace.id == workspace_id,
                                       Workspace.reports_rebuild_requested_at == mark)
               .values(reports_rebuild_requested_at=None))


def stale_ticket_ids(db: Session, since: datetime, until: datetime, limit: int) -> list[int]:
    """Tickets changed in [since, until) whose facts are missing or older than the ticket."""
    return list(db.scalars(
        select(Ticket.id).outerjoin(TicketFact, TicketFact.ticket_id == Ticket.id)
        .where(Ticket.updated_at >= since, Ticket.updated_at < until)
        .where(or_(TicketFact.ticket_id.is_(None), TicketFact.ticket_version != Ticket.version))
        .order_by(Ticket.updated_at).limit(limit)
    ))


def count_tickets(db: Session, workspace_id: int) -> int:
    return int(db.scalar(select(func.count()).select_from(Ticket).where(Ticket.workspace_id == workspace_id)) or 0)


def ticket_ids_of_workspace(db: Session, workspace_id: int, after_id: int, limit: int) -> list[int]:
    return list(db.scalars(
        select(Ticket.id).where(Ticket.workspace_id == workspace_id, Ticket.id > after_id)
        .order_by(Ticket.id).limit(limit)
    ))


def history_of_tickets(db: Session, ids: Sequence[int]) -> dict[int, list[FactEvent]]:
    """Each ticket's events, in order."""
    out: dict[int, list[FactEvent]] = {i: [] for i in ids}
    for row in db.connection().execute(
        select(*(getattr(TicketEvent, name) for name in FactEvent._fields)).where(TicketEvent.ticket_id.in_(ids))
        .order_by(TicketEvent.ticket_id, TicketEvent.id)
    ):
        event = FactEvent._make(row)
        out[event.ticket_id].append(event)
    return out


def replace_facts(db: Session, rows: list[dict[str, Any]]) -> None:
    """Write facts for these tickets, replacing what was there."""
    if not rows:
        return
    # Core statements: no session objects hold facts, so the ORM's bulk bookkeeping is waste.
    table = cast(Table, TicketFact.__table__)
    db.connection().execute(delete(table).where(table.c.ticket_id.in_([r["ticket_id"] for r in rows])))
    db.connection().execute(insert(table).values(updated_at=utc_now()), rows)  # one moment, not one per row


def delete_facts_of_workspace(db: Session, workspace_id: int) -> None:
    db.execute(delete(TicketFact).where(TicketFact.workspace_id == workspace_id))


def facts_of_workspace(db: Session, workspace_id: int) -> list[TicketFact]:
    return list(db.scalars(
        select(TicketFact).where(TicketFact.workspace_id == workspace_id).order_by(TicketFact.ticket_id)
    ))


def fact_conditions(workspace_id: int, f: ReportFilter, *, date_column: Any = None) -> list[Any]:
    """The WHERE conditions on facts for ``f``; the date range applies to ``date_column``."""
    column = TicketFact.created_at if date_column is None else date_column
    conditions: list[Any] = [TicketFact.workspace_id == workspace_id]
    if date_column is not None:
        conditions.append(column.is_not(None))
    if f.start is not None:
        conditions.append(column >= f.start)
    if f.end is not None:
        conditions.append(column < f.end)
    if not f.include_spam:
        conditions.append(TicketFact.is_spam.is_(False))
    for values, col in (
        (f.channel_id, TicketFact.channel_id), (f.network, TicketFact.network),
        (f.kind, TicketFact.kind), (f.team_id, TicketFact.team_id),
        (f.agent_id, TicketFact.agent_id), (f.priority, TicketFact.priority),
        (f.language, TicketFact.language), (f.sentiment, TicketFact.sentiment),
        (f.hour, TicketFact.created_hour), (f.weekday, TicketFact.created_weekday),
    ):
        if values:
            conditions.append(col.in_(values))
    # Several tags: tickets carrying all of them (as the inbox filter).
    conditions.extend(exists().where(TicketTag.ticket_id == TicketFact.ticket_id, TicketTag.name == tag)
                      for tag in f.tag)
    return conditions


def filtered_facts(workspace_id: int, f: ReportFilter, *, date_column: Any = None) -> Select[Any]:
    """Facts of the workspace matching ``f``; the date range applies to ``date_column``."""
    return select(TicketFact).where(*fact_conditions(workspace_id, f, date_column=date_column))


def fact_columns(db: Session, query: Select[Any], columns: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The given columns of the facts matched by ``query`` (a ``filtered_facts`` select)."""
    sub = query.with_only_columns(*columns)
    return [tuple(r) for r in db.execute(sub)]


def fact_columns_by_tag(db: Session, query: Select[Any], columns: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Like ``fact_columns`` with the tag first: one row per (tag, ticket)."""
    sub = query.join(TicketTag, TicketTag.ticket_id == TicketFact.ticket_id).with_only_columns(
        TicketTag.name, *columns
    )
    return [tuple(r) for r in db.execute(sub)]


def fact_totals(db: Session, query: Select[Any]) -> tuple[int, int]:
    """(tickets, inbound messages) matched by ``query``."""
    row = db.execute(query.with_only_columns(
        func.count(), func.coalesce(func.sum(TicketFact.inbound_messages), 0)).order_by(None)).one()
    return int(row[0]), int(row[1])


def fact_counts(db: Session, query: Select[Any], keys: Sequence[Any]) -> list[tuple[tuple[Any, ...], int, int]]:
    """(key values, tickets, inbound messages) per distinct value of ``keys``."""
    grouped = query.with_only_columns(
        *keys, func.count(), func.coalesce(func.sum(TicketFact.inbound_messages), 0)
    ).group_by(*keys)
    return [(tuple(r[: len(keys)]), int(r[-2]), int(r[-1])) for r in db.execute(grouped)]


def fact_counts_by_tag(db: Session, query: Select[Any]) -> list[tuple[str, int, int]]:
    grouped = query.join(TicketTag, TicketTag.ticket_id == TicketFact.ticket_id).with_only_columns(
        TicketTag.name, func.count(), func.coalesce(func.sum(TicketFact.inbound_messages), 0)
    ).group_by(TicketTag.name)
    return [(r[0], int(r[1]), int(r[2])) for r in db.execute(grouped)]


def count_facts(db: Session, query: Select[Any]) -> int:
    return int(db.scalar(query.with_only_columns(func.count()).order_by(None)) or 0)


def replies_in_range(db: Session, workspace_id: int, f: ReportFilter, group: GroupBy | None,
                     zone: ZoneInfo) -> dict[Any, int]:
    """Human replies sent in the range, per group (per replier when grouped by agent).

    Time groups bucket the reply's own time in ``zone``; the other groups use the ticket's.
    """
    human = or_(TicketEvent.actor_type == "user",
                TicketEvent.data["outside_henshin"].as_boolean().is_(True))
    of_tickets = fact_conditions(workspace_id, f.model_copy(update={"start": None, "end": None}))
    base = select(TicketEvent.created_at).where(
        TicketEvent.workspace_id == workspace_id, TicketEvent.type == "replied", human)
    by_fact = group not in {None, GroupBy.DAY, GroupBy.HOUR, GroupBy.WEEKDAY, GroupBy.TAG, GroupBy.AGENT}
    if by_fact or not f.narrows():
        base = base.join(TicketFact, TicketFact.ticket_id == TicketEvent.ticket_id).where(*of_tickets)
    else:
        # One agent's (team's, tag's…) tickets first, then their replies: SQLite would
        # otherwise walk every reply of the range (a year: ~1.5M at 1M tickets) to its facts.
        base = base.where(TicketEvent.ticket_id.in_(select(TicketFact.ticket_id).where(*of_tickets)))
    if f.start is not None:
        base = base.where(TicketEvent.created_at >= f.start)
    if f.end is not None:
        base = base.where(TicketEvent.created_at < f.end)
    out: dict[Any, int] = {}
    if group is None:
        out[None] = int(db.scalar(base.with_only_columns(func.count())) or 0)
        return out
    if group in {GroupBy.DAY, GroupBy.HOUR, GroupBy.WEEKDAY}:
        for (moment,) in db.execute(base):
            local = moment.astimezone(zone)
            key: Any = (local.date().isoformat() if group is GroupBy.DAY
                        else local.hour if group is GroupBy.HOUR else local.weekday())
            out[key] = out.get(key, 0) + 1
        return out
    if group is GroupBy.TAG:
        column: Any = TicketTag.name
        base = base.join(TicketTag, TicketTag.ticket_id == TicketEvent.ticket_id)
    elif group is GroupBy.AGENT:
        column = TicketEvent.actor_id
    else:
        column = FACT_KEYS[group]
    for key, count in db.execute(base.with_only_columns(column, func.count()).group_by(column)):
        out[key] = int(count)
    return out


def page_of_facts(db: Session, query: Select[Any], *, after_id: int, limit: int) -> list[TicketFact]:
    return list(db.scalars(
        query.where(TicketFact.ticket_id > after_id).order_by(TicketFact.ticket_id).limit(limit)
    ))


def tags_of(db: Session, ticket_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in ticket_ids}
    if ticket_ids:
        for tid, name in db.execute(
            select(TicketTag.ticket_id, TicketTag.name).where(TicketTag.ticket_id.in_(ticket_ids))
            .order_by(TicketTag.name)
        ):
            out[tid].append(name)
    return out


def names_of_people(db: Session, workspace_id: int) -> dict[int, str]:
    rows = db.execute(
        select(User.id, User.name).join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id)
    )
    return {uid: name for uid, name in rows}


def names_of_teams(db: Session, workspace_id: int) -> dict[int, str]:
    return {tid: name for tid, name in db.execute(select(Team.id, Team.name).where(Team.workspace_id == workspace_id))}


def names_of_channels(db: Session, workspace_id: int) -> dict[int, str]:
    return {cid: name for cid, name in db.execute(
        select(Channel.id, Channel.name).where(Channel.workspace_id == workspace_id))}


def closed_at_values(db: Session, workspace_id: int, f: ReportFilter) -> list[datetime]:
    """Final close times of the filtered tickets closed within the range."""
    query = filtered_facts(workspace_id, f, date_column=TicketFact.closed_at)
    return [r[0] for r in db.execute(query.with_only_columns(TicketFact.closed_at)) if r[0] is not None]


def open_before(db: Session, workspace_id: int, f: ReportFilter, moment: datetime) -> int:
    """Tickets created before ``moment`` and not (finally) closed before it."""
    unbounded = f.model_copy(update={"start": None, "end": moment})
    created = count_facts(db, filtered_facts(workspace_id, unbounded))
    closed = count_facts(db, filtered_facts(workspace_id, unbounded, date_column=TicketFact.closed_at))
    return created - closed


def open_tickets_of_agent(db: Session, workspace_id: int, agent_id: int) -> int:
    """The agent's tickets not closed right now."""
    return count_facts(db, filtered_facts(workspace_id, ReportFilter(agent_id=[agent_id]))
                       .where(TicketFact.status != "closed"))
