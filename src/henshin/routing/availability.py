"""Who can take work now: availability (online / away / offline), shifts and capacity."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from henshin.kit.errors import InvalidInput
from henshin.models import AgentShift, Membership, User
from henshin.routing import repository as repo
from henshin.routing.hours import WeeklySchedule
from henshin.routing.strategies import Candidate

AVAILABILITIES = ("online", "away", "offline")
SKILL_KINDS = ("languages", "networks", "topics")


@lru_cache(maxsize=1024)
def _schedule(text: str) -> WeeklySchedule:
    return WeeklySchedule.from_json(json.loads(text))


def check_schedule(data: dict[str, Any], *, field: str = "shift") -> WeeklySchedule:
    """A shift (or other ``field``) as `WeeklySchedule` JSON, or ``InvalidInput`` saying what is wrong."""
    try:
        return WeeklySchedule.from_json(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{field}: {exc}") from exc


def on_shift(shift: AgentShift | None, now: datetime) -> bool:
    """Whether the agent works at ``now`` (no shift recorded: always)."""
    if shift is None or not shift.schedule:
        return True
    return _schedule(json.dumps(shift.schedule, sort_keys=True)).is_open(now)


def check_skills(data: dict[str, Any]) -> dict[str, list[str]]:
    """Skills as ``{"languages": [...], "networks": [...], "topics": [...]}``, normalised."""
    unknown = set(data) - set(SKILL_KINDS)
    if unknown:
        raise InvalidInput(f"skills: unknown kind(s) {sorted(unknown)}; use {', '.join(SKILL_KINDS)}")
    out: dict[str, list[str]] = {}
    for kind in SKILL_KINDS:
        values = data.get(kind, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise InvalidInput(f"skills.{kind} must be a list of non-empty strings")
        out[kind] = sorted({v.strip().casefold() for v in values})
    return out


def _skill_set(membership: Membership, kind: str) -> frozenset[str]:
    return frozenset(str(v).casefold() for v in (membership.skills or {}).get(kind, []))


def candidates(db: Session, workspace_id: int, members: list[tuple[User, Membership]],
               now: datetime) -> list[Candidate]:
    """Members as routing sees them at ``now``."""
    ids = [u.id for u, _ in members]
    loads = repo.open_loads(db, workspace_id, ids)
    shifts = repo.shifts(db, workspace_id, ids)
    return [
        Candidate(
            user_id=u.id, name=u.name, availability=u.availability,
            on_shift=on_shift(shifts.get(u.id), now), open_tickets=loads.get(u.id, 0),
            capacity=m.max_open_tickets, languages=_skill_set(m, "languages"),
            networks=_skill_set(m, "networks"), topics=_skill_set(m, "topics"),
        )
        for u, m in members
    ]
