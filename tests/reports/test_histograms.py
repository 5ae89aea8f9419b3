"""Medians and p90s located from bucket counts equal sorting every value, and edge facts
read as columns add what ``week_parts`` says they add."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from henshin.reports.cell_reader import Span, Sums, agent_key, week_fact_columns
from henshin.reports.cells import WEEK_DURATIONS, bucket, week_parts
from henshin.reports.histograms import Floats, Histograms, Slot, without
from henshin.reports.stats import describe, micros


def duration(rng: random.Random) -> float:
    """Durations as the facts hold them: ties (an auto-reply's 30 s), under a second, µs."""
    kind = rng.random()
    if kind < 0.2:
        return 30.0
    if kind < 0.3:
        return rng.choice([0.0, 0.25, 0.999999])
    return round(rng.expovariate(1 / 3600), 6)


def test_ranks_located_from_buckets_give_the_figures_of_every_value_sorted() -> None:
    rng = random.Random(7)
    for _ in range(40):
        histograms = Histograms()
        stored: dict[Slot, list[Floats]] = defaultdict(list)
        every: dict[int, list[float]] = defaultdict(list)
        for group in range(rng.randint(1, 6)):
            in_cells: list[float] = []
            for _cell in range(rng.randint(0, 4)):  # the cells of several days
                values = sorted(duration(rng) for _ in range(rng.randint(1, 60)))
                for b in sorted({bucket(v) for v in values}):
                    mine = [v for v in values if bucket(v) == b]
                    stored[group, b].append(np.array(mine))
                    histograms.add_cells(np.array([group]), np.array([b]), np.array([len(mine)]),
                                         {group: sum(micros(v) for v in mine)})
                in_cells += values
            added = [duration(rng) for _ in range(rng.randint(0, 5))]  # facts of partial days
            for v in added:
                histograms.add_fact(group, bucket(v), 1, micros(v), v)
            taken = rng.sample(in_cells, rng.randint(0, len(in_cells) // 2))  # facts past the range
            for v in taken:
                histograms.add_fact(group, bucket(v), -1, -micros(v), v)
                in_cells.remove(v)
            every[group] = in_cells + added

        got = histograms.stats({slot: stored[slot] for slot in histograms.ranks().slots()})
        assert {g: s.model_dump() for g, s in got.items()} == {
            g: describe(values).model_dump() for g, values in every.items() if values}

        whole = histograms.whole()
        everywhere = {(0, b): [a for (_, b2), arrays in stored.items() if b2 == b for a in arrays]
                      for _, b in whole.ranks().slots()}
        everything = [v for values in every.values() for v in values]
        assert {g: s.model_dump() for g, s in whole.stats(everywhere).items()} == (
            {0: describe(everything).model_dump()} if everything else {})


def test_taking_out_a_value_a_cell_does_not_hold_is_refused() -> None:
    assert without(np.array([1.0, 2.0, 2.0, 5.0]), [2.0, 5.0, 2.0]).tolist() == [1.0]
    with pytest.raises(ValueError, match="lack values"):
        without(np.array([1.0, 2.0]), [2.0, 2.0])
    with pytest.raises(ValueError, match="lack values"):
        without(np.array([1.0, 2.0]), [3.0])


def test_edge_facts_read_as_columns_add_what_week_parts_gives_them() -> None:
    rng = random.Random(3)
    facts: list[dict[str, Any]] = []
    for _ in range(300):
        fact: dict[str, Any] = {
            "is_spam": rng.random() < 0.1,
            "created_day": (date(2026, 10, 20) + timedelta(days=rng.randint(0, 20))).isoformat(),
            "agent_id": rng.choice([None, 4, 9]),
            "inbound_messages": rng.randint(1, 4),
            "csat_sent_at": rng.choice([None, "sent"]),
            "csat_score": rng.choice([None, None, 1, 5]),
        }
        fact.update({column: rng.choice([None, duration(rng)]) for column in WEEK_DURATIONS.values()})
        facts.append(fact)
    span = Span("2026-10-26", "2026-11-09", True, [], [])
    for measures in (("tickets", "fr", "fr_business", "fr_auto"), ("tickets", "csat_sent", "csat")):
        for sign in (1, -1):
            parts, columns = Sums(span, "week", agent_key), Sums(span, "week", agent_key)
            parts.add_parts((p for f in facts if not f["is_spam"] for p in week_parts(f)), sign, measures)
            columns.add_week_facts([[f[c] for c in week_fact_columns(measures)] for f in facts], sign, measures)
            assert columns.keys == parts.keys
            assert [t.counts for t in columns.tallies] == [t.counts for t in parts.tallies]
            assert set(columns.histograms) == set(parts.histograms)
            for measure, histogram in parts.histograms.items():
                mine = columns.histograms[measure]
                assert (mine.facts, mine.totals, mine.loose, mine.taken) == (
                    histogram.facts, histogram.totals, histogram.loose, histogram.taken), measure
