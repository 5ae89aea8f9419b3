"""Exact medians and p90s of many groups at once, from histogram buckets.

The cells keep, per bucket of a duration, a count and the sorted exact values
(``henshin.reports.cells``). Summing a group's bucket counts in bucket order finds the
bucket holding each rank a median or p90 needs; only those buckets' values are then read,
and the figure is the one sorting every value would give (``stats.describe``).

A year by day is 365 groups and tens of thousands of (group, bucket) counts: they go
through numpy as columns (one sort and one cumulative sum for every group together), so
the cost does not grow with a Python step per cell.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from henshin.reports.schemas import Stats
from henshin.reports.stats import mean_of_micros

FRACTIONS = (0.5, 0.9)
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
# (group, bucket): a group's bucket, whose values a rank may need.
Slot = tuple[int, int]


def values_of(stored: bytes) -> Floats:
    """A cell's packed values (``cells.pack``: little-endian float64) as an array."""
    return np.frombuffer(stored, dtype="<f8").astype(np.float64, copy=False)


def without(values: Floats, gone: Sequence[float]) -> Floats:
    """Sorted ``values`` less one occurrence of each of ``gone`` (all of which it holds)."""
    out = np.sort(np.asarray(gone, dtype=np.float64))
    # The k-th repeat of a value is the k-th occurrence from its first position.
    at = np.searchsorted(values, out) + np.arange(len(out)) - np.searchsorted(out, out)
    if len(at) and (at.max() >= len(values) or np.any(values[at] != out)):
        raise ValueError("report cells lack values that facts of the range take out of them")
    return np.delete(values, at)


@dataclass(frozen=True)
class Ranks:
    """Where each group's median and p90 ranks fall: per group (its count, [(bucket, rank in
    bucket)] for the low and high rank of each fraction)."""

    at: dict[int, tuple[int, list[tuple[int, int]]]]

    def slots(self) -> set[Slot]:
        return {(g, b) for g, (_, places) in self.at.items() for b, _ in places}


@dataclass(eq=False)  # told apart by identity
class Histograms:
    """One measure's buckets in many groups (numbered 0, 1, …): counts and µs totals summed
    from cells, plus the exact values of edge facts (added) and of excess facts (taken out
    of the cells that reach past the range)."""

    groups: list[Ints] = field(default_factory=list)
    buckets: list[Ints] = field(default_factory=list)
    counts: list[Ints] = field(default_factory=list)
    totals: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    facts: list[tuple[int, int, int]] = field(default_factory=list)  # (group, bucket, n)
    loose: dict[Slot, list[float]] = field(default_factory=dict)
    taken: dict[Slot, list[float]] = field(default_factory=dict)
    _ranks: Ranks | None = None

    def add_cells(self, groups: Ints, buckets: Ints, counts: Ints, totals: Mapping[int, int]) -> None:
        """Summed cells, one (group, bucket, count) per row, and µs totals per group."""
        self.groups.append(groups)
        self.buckets.append(buckets)
        self.counts.append(counts)
        for group, total in totals.items():
            self.totals[group] += total
        self._ranks = None

    def add_fact(self, group: int, bucket: int, n: int, total: int, value: float | None) -> None:
        """One fact's part (``n`` < 0 takes an excess fact's value back out of a cell)."""
        self.facts.append((group, bucket, n))
        self.totals[group] += total
        self._ranks = None
        if value is not None:
            (self.loose if n > 0 else self.taken).setdefault((group, bucket), []).append(value)

    def whole(self) -> Histograms:
        """Every group as one (group 0): the total of a grouped figure."""
        out = Histograms(groups=[np.zeros_like(g) for g in self.groups], buckets=list(self.buckets),
                         counts=list(self.counts), totals=defaultdict(int, {0: sum(self.totals.values())}),
                         facts=[(0, b, n) for _, b, n in self.facts])
        for mine, theirs in ((self.loose, out.loose), (self.taken, out.taken)):
            for (_, b), values in mine.items():
                theirs.setdefault((0, b), []).extend(values)
        return out

    def _merged(self) -> tuple[Ints, Ints, Ints]:
        """(group, bucket, count) with one row per non-empty (group, bucket), in order."""
        facts = np.array(self.facts, dtype=np.int64).reshape(-1, 3)
        group, bucket, count = (np.concatenate([*cells, facts[:, k]])
                                for k, cells in enumerate((self.groups, self.buckets, self.counts)))
        if not len(group):
            return group, bucket, count
        order = np.lexsort((bucket, group))
        group, bucket, count = group[order], bucket[order], count[order]
        starts = np.flatnonzero(np.r_[True, (group[1:] != group[:-1]) | (bucket[1:] != bucket[:-1])])
        group, bucket, count = group[starts], bucket[starts], np.add.reduceat(count, starts)
        kept = count > 0  # a bucket that excess facts emptied holds nothing
        return group[kept], bucket[kept], count[kept]

    def ranks(self) -> Ranks:
        """Each group's count and the buckets its median and p90 ranks fall in."""
        if self._ranks is not None:
            return self._ranks
        group, bucket, count = self._merged()
        if not len(group):
            self._ranks = Ranks({})
            return self._ranks
        ends = np.cumsum(count)
        heads = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        tails = np.r_[heads[1:], len(group)] - 1
        before = ends[heads] - count[heads]
        sizes = ends[tails] - before
        wanted = []
        for fraction in FRACTIONS:
            # As ``stats.percentile``: float position, truncated, the next rank capped.
            low = (fraction * (sizes - 1).astype(np.float64)).astype(np.int64)
            wanted += [low, np.minimum(low + 1, sizes - 1)]
        targets = before[:, None] + np.stack(wanted, axis=1)
        rows = np.searchsorted(ends, targets, side="right")
        inside = targets - (ends[rows] - count[rows])
        self._ranks = Ranks({
            int(g): (int(size), list(zip(bucket[r].tolist(), i.tolist(), strict=True)))
            for g, size, r, i in zip(group[heads].tolist(), sizes.tolist(), rows, inside, strict=True)
        })
        return self._ranks

    def scores(self) -> dict[int, Counter[int]]:
        """Values per bucket of each group (a CSAT score's bucket is the score)."""
        out: dict[int, Counter[int]] = {}
        for group, bucket, count in zip(*(c.tolist() for c in self._merged()), strict=True):
            out.setdefault(group, Counter())[bucket] = count
        return out

    def stats(self, stored: Mapping[Slot, Sequence[Floats]]) -> dict[int, Stats]:
        """Count, mean, median and p90 of every group that holds values, as
        ``stats.describe`` gives them; ``stored`` holds the cell values of ``ranks().slots()``."""
        ranks = self.ranks().at
        insides: dict[Slot, set[int]] = {}
        for group, (_, places) in ranks.items():
            for b, inside in places:
                insides.setdefault((group, b), set()).add(inside)
        ordered = {slot: self._ordered(slot, stored.get(slot, ()), sorted(at)) for slot, at in insides.items()}
        out = {}
        for group, (size, places) in ranks.items():
            at = [float(ordered[group, b][inside]) for b, inside in places]
            figures = []
            for k, fraction in enumerate(FRACTIONS):
                position = fraction * (size - 1)
                low, high = at[2 * k], at[2 * k + 1]
                figures.append(round(low + (high - low) * (position - int(position)), 3))
            out[group] = Stats.model_construct(count=size, mean=mean_of_micros(self.totals[group], size),
                                               median=figures[0], p90=figures[1])
        return out

    def _ordered(self, slot: Slot, cells: Sequence[Floats], at: list[int]) -> Floats:
        """A slot's values, in sorted order at least at the ranks ``at``: one stored cell is
        sorted already; several are partitioned around those ranks (a bucket of a year can
        hold a few hundred thousand values, a full sort of which costs more)."""
        loose = self.loose.get(slot)
        if slot in self.taken:
            kept = np.sort(np.concatenate([*cells, np.asarray(loose or (), dtype=np.float64)]))
            return without(kept, self.taken[slot])
        if len(cells) == 1 and not loose:
            return cells[0]
        values = np.concatenate([*cells, np.asarray(loose or (), dtype=np.float64)])
        return np.partition(values, at)
