"""Dry run: what a rule (not yet saved) would have done over the last N days of engagements.

Nothing is written: each past engagement is turned into the subject it was when it
arrived (its own moment as ``now``, its ticket as it is today), part A's `dry_run` finds
the matches with their reasons, and each match lists the actions it would have taken.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from henshin.kit.time import as_utc, utc_now
from henshin.rules import repository as repo
from henshin.rules.executors import describe_action
from henshin.rules.explain import dry_run
from henshin.rules.schema import RuleSpec
from henshin.rules.subjects import build_subject

MAX_SAMPLE = 5000


def dry_run_rule(db: Session, workspace_id: int, spec: RuleSpec, *, days: int,
                 limit: int = 200) -> dict[str, Any]:
    """The matches of ``spec`` over the last ``days`` days (at most `MAX_SAMPLE` engagements)."""
    since = utc_now() - timedelta(days=days)
    engagements = list(repo.recent_engagements(db, workspace_id, since, MAX_SAMPLE))
    tickets = repo.tickets_by_ids(db, [e.ticket_id for e in engagements if e.ticket_id])
    contacts = repo.contacts_by_ids(db, [e.contact_id for e in engagements if e.contact_id])
    tags = repo.tag_names(db, list(tickets))
    workspace = repo.workspace(db, workspace_id)
    pairs = []
    for engagement in engagements:
        ticket = tickets.get(engagement.ticket_id or 0)
        if ticket is None:
            continue
        subject = build_subject(ticket=ticket, engagement=engagement, contact=contacts.get(engagement.contact_id or 0),
                                tags=tags.get(ticket.id, set()), workspace=workspace,
                                now=as_utc(engagement.created_at))
        pairs.append((engagement, ticket, subject))
    hits = dry_run(spec, [subject for _, _, subject in pairs])
    would = [describe_action(action) for action in spec.actions]
    matches = []
    for hit in hits[:limit]:
        engagement, ticket, _ = pairs[hit.index]
        matches.append({
            "engagement_id": engagement.id, "ticket_id": ticket.id, "network": engagement.network,
            "kind": engagement.kind, "text": engagement.text[:500],
            "created_at": as_utc(engagement.created_at).isoformat(),
            "would": would, "why": hit.reasons,
        })
    return {"days": days, "evaluated": len(pairs), "matched": len(hits), "matches": matches,
            "truncated": len(hits) > limit}
