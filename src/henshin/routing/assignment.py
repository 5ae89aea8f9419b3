"""Automatic assignment: pick a member by strategy, explain it in the history, pull work.

``do_auto_assign`` assigns one ticket within a team; ``do_pull_next`` gives an agent who
just freed up (closed a ticket, came online) the longest-waiting unassigned tickets of
their teams, oldest first, up to their capacity. Both write through
`henshin.tickets.actions.do_assign`, with the explanation as the history's reason:
"assigned to 佐藤 by round robin in Team CS: skill ja, on shift".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from henshin.events.bus import Actor
from henshin.kit.errors import InvalidInput
from henshin.kit.time import utc_now
from henshin.models import Ticket
from henshin.routing import repository as repo
from henshin.routing.availability import candidates
from henshin.routing.strategies import STRATEGY_WORDS, Candidate, Need, choose
from henshin.tickets import actions as ticket_actions
from henshin.tickets import repository as tickets_repo

MAX_PULL = 50


def need_of(db: Session, ticket: Ticket) -> Need:
    """What the ticket asks of its agent: language, network, its tags as topics."""
    tags = tickets_repo.tags_of(db, [ticket.id]).get(ticket.id, [])
    return Need(language=(ticket.language or None), network=ticket.network,
                topics=frozenset(t.casefold() for t in tags))


def do_auto_assign(
    db: Session,
    ticket: Ticket,
    *,
    team_id: int,
    strategy: str,
    actor: Actor,
    now: datetime | None = None,
    via: str | None = None,
) -> str:
    """Assign ``ticket`` to a member of the team by ``strategy``; returns the explanation.

    When nobody can take it (all away, off shift or at capacity) the ticket goes to the
    team's queue unassigned, to be pulled by the first member who frees up.
    """
    now = now or utc_now()
    team = repo.team(db, ticket.workspace_id, team_id)
    if team is None:
        raise InvalidInput(f"team {team_id} does not exist in this workspace")
    members = repo.team_members(db, ticket.workspace_id, team_id)
    cursor = repo.cursor(db, team_id) if strategy == "round_robin" else None
    pool = candidates(db, ticket.workspace_id, members, now)
    choice = choose(strategy, pool, need_of(db, ticket),
                    last_user_id=cursor.last_user_id if cursor is not None else None)
    suffix = f" ({via})" if via else ""
    if choice is None:
        why = "; ".join(f"{c.name} {c.unavailable_because() or 'skills do not fit'}" for c in pool) or "no members"
        explanation = f"waiting in Team {team.name}'s queue: nobody available ({why}){suffix}"
        ticket_actions.do_assign(db, ticket, actor=actor, user_id=None, team_id=team_id, reason=explanation)
        return explanation
    if cursor is not None:
        cursor.last_user_id = choice.candidate.user_id
        cursor.updated_at = now
    explanation = (f"assigned to {choice.candidate.name} by {STRATEGY_WORDS[strategy]} in Team {team.name}: "
                   f"{', '.join(choice.reasons)}{suffix}")
    ticket_actions.do_assign(db, ticket, actor=actor, user_id=choice.candidate.user_id, team_id=team_id,
                             reason=explanation)
    return explanation


def _self_candidate(db: Session, workspace_id: int, user_id: int, now: datetime) -> Candidate | None:
    found = repo.member(db, workspace_id, user_id)
    if found is None:
        return None
    return candidates(db, workspace_id, [found], now)[0]


def do_pull_next(db: Session, workspace_id: int, user_id: int, *, actor: Actor | None = None,
                 now: datetime | None = None) -> list[int]:
    """Give a freed-up agent the oldest waiting unassigned tickets of their teams.

    Stops at the agent's capacity (one ticket when they have no limit, so work keeps
    spreading across the team). Returns the ids assigned, oldest first.
    """
    now = now or utc_now()
    me = _self_candidate(db, workspace_id, user_id, now)
    if me is None or me.unavailable_because() is not None:
        return []
    room = 1 if me.capacity is None else max(me.capacity - me.open_tickets, 0)
    team_ids = repo.teams_of_user(db, workspace_id, user_id)
    assigned: list[int] = []
    for ticket in repo.oldest_waiting_unassigned(db, workspace_id, team_ids, min(room, MAX_PULL)):
        team = repo.team(db, workspace_id, ticket.assignee_team_id or 0)
        team_name = team.name if team is not None else "?"
        explanation = f"assigned to {me.name} as the oldest waiting ticket of Team {team_name}: on shift, freed up"
        ticket_actions.do_assign(db, ticket, actor=actor or Actor.system("routing"), user_id=user_id,
                                 team_id=ticket.assignee_team_id, reason=explanation)
        assigned.append(ticket.id)
    return assigned
