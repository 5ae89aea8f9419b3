"""Choosing an agent: round robin, skill-based, least-loaded — pure functions over candidates.

A `Candidate` is a team member as routing sees them at one moment. Nobody unavailable
(away, offline, off shift, at capacity) is ever chosen; each choice comes with the words
that explain it ("skill ja, on shift").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

STRATEGIES = ("round_robin", "least_loaded", "skill_based")
STRATEGY_WORDS = {"round_robin": "round robin", "least_loaded": "least loaded", "skill_based": "skills"}


@dataclass(frozen=True)
class Candidate:
    """One team member: who, whether they can take work now, and their skills and load."""

    user_id: int
    name: str
    availability: str  # online | away | offline
    on_shift: bool
    open_tickets: int
    capacity: int | None  # None: no limit
    languages: frozenset[str] = field(default_factory=frozenset)
    networks: frozenset[str] = field(default_factory=frozenset)
    topics: frozenset[str] = field(default_factory=frozenset)

    @property
    def at_capacity(self) -> bool:
        return self.capacity is not None and self.open_tickets >= self.capacity

    def unavailable_because(self) -> str | None:
        """Why this person gets no new work now, or None when they can."""
        if self.availability != "online":
            return self.availability
        if not self.on_shift:
            return "off shift"
        if self.at_capacity:
            return f"at capacity ({self.open_tickets}/{self.capacity})"
        return None


@dataclass(frozen=True)
class Need:
    """What a ticket asks of its agent: its language, network and topics (intents, tags)."""

    language: str | None = None
    network: str | None = None
    topics: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Choice:
    """The chosen member and why."""

    candidate: Candidate
    reasons: list[str]


def skill_matches(candidate: Candidate, need: Need) -> list[str]:
    """The skills of ``candidate`` that ``need`` asks for (``skill ja``, ``network x`` …).

    A member declaring no skill of a kind is taken to cover all of that kind.
    """
    matched: list[str] = []
    if need.language and candidate.languages and need.language in candidate.languages:
        matched.append(f"skill {need.language}")
    if need.network and candidate.networks and need.network in candidate.networks:
        matched.append(f"network {need.network}")
    matched += [f"topic {t}" for t in sorted(need.topics & candidate.topics)]
    return matched


def _fits(candidate: Candidate, need: Need) -> bool:
    if need.language and candidate.languages and need.language not in candidate.languages:
        return False
    return not (need.network and candidate.networks and need.network not in candidate.networks)


def choose(
    strategy: str,
    candidates: Sequence[Candidate],
    need: Need,
    *,
    last_user_id: int | None = None,
) -> Choice | None:
    """The member to assign (None when nobody can take it now).

    Every strategy keeps only available members who fit the ticket's language and
    network. ``round_robin`` takes the next one after ``last_user_id`` (by user id);
    ``least_loaded`` the one with the fewest open tickets; ``skill_based`` the one matching
    the most skills, then the least loaded.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy is one of {', '.join(STRATEGIES)}, not {strategy!r}")
    able = sorted((c for c in candidates if c.unavailable_because() is None and _fits(c, need)),
                  key=lambda c: c.user_id)
    if not able:
        return None
    if strategy == "round_robin":
        after = [c for c in able if last_user_id is not None and c.user_id > last_user_id]
        chosen = (after or able)[0]
    elif strategy == "least_loaded":
        chosen = min(able, key=lambda c: (c.open_tickets, c.user_id))
    else:
        chosen = min(able, key=lambda c: (-len(skill_matches(c, need)), c.open_tickets, c.user_id))
    reasons = skill_matches(chosen, need)
    if strategy != "round_robin" or chosen.capacity is not None:
        reasons.append(f"{chosen.open_tickets} open" + (f"/{chosen.capacity}" if chosen.capacity else ""))
    reasons.append("on shift")
    return Choice(chosen, reasons)
