"""Choosing an agent: nobody unavailable is chosen; round robin turns; skills and load decide."""

from __future__ import annotations

from henshin.routing.strategies import Candidate, Need, choose


def agent(user_id: int, **overrides: object) -> Candidate:
    values: dict[str, object] = {"user_id": user_id, "name": f"agent{user_id}", "availability": "online",
                                 "on_shift": True, "open_tickets": 0, "capacity": None}
    values.update(overrides)
    return Candidate(**values)  # type: ignore[arg-type]


def test_nobody_away_off_shift_or_full_is_chosen() -> None:
    pool = [agent(1, availability="away"), agent(2, on_shift=False), agent(3, open_tickets=5, capacity=5)]
    for strategy in ("round_robin", "least_loaded", "skill_based"):
        assert choose(strategy, pool, Need()) is None
    assert pool[2].unavailable_because() == "at capacity (5/5)"


def test_round_robin_wraps_around_after_the_last_member() -> None:
    pool = [agent(1), agent(2), agent(3)]
    assert choose("round_robin", pool, Need(), last_user_id=None).candidate.user_id == 1  # type: ignore[union-attr]
    assert choose("round_robin", pool, Need(), last_user_id=2).candidate.user_id == 3  # type: ignore[union-attr]
    assert choose("round_robin", pool, Need(), last_user_id=3).candidate.user_id == 1  # type: ignore[union-attr]


def test_language_skills_filter_and_explain() -> None:
    pool = [agent(1, languages=frozenset({"en"})), agent(2, languages=frozenset({"ja"}), open_tickets=3)]
    choice = choose("least_loaded", pool, Need(language="ja"))
    assert choice is not None and choice.candidate.user_id == 2
    assert choice.reasons[0] == "skill ja" and choice.reasons[-1] == "on shift"


def test_skill_based_prefers_more_matching_topics_then_load() -> None:
    pool = [agent(1, topics=frozenset({"billing"}), open_tickets=4), agent(2, open_tickets=0)]
    choice = choose("skill_based", pool, Need(topics=frozenset({"billing"})))
    assert choice is not None and choice.candidate.user_id == 1 and "topic billing" in choice.reasons
