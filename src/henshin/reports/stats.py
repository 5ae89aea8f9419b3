"""Distribution figures: mean, median and p90 (linear interpolation, as percentile_cont)."""

from __future__ import annotations

from collections.abc import Iterable

from henshin.reports.schemas import Stats


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """The ``fraction`` percentile of already sorted values, interpolated between ranks."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def micros(value: float) -> int:
    """A duration in whole microseconds (the resolution of the timestamps it comes from)."""
    return round(value * 1_000_000)


def mean_of_micros(total_micros: int, count: int) -> float:
    """The mean from an exact integer sum, so summing in any order gives the same figure."""
    return round(total_micros / count / 1_000_000, 3)


def describe(values: Iterable[float | None]) -> Stats:
    """Count, mean, median and p90 of the values that are not None."""
    data = sorted(float(v) for v in values if v is not None)
    if not data:
        return Stats(count=0, mean=None, median=None, p90=None)
    return Stats(
        count=len(data),
        mean=mean_of_micros(sum(micros(v) for v in data), len(data)),
        median=round(percentile(data, 0.5) or 0.0, 3),
        p90=round(percentile(data, 0.9) or 0.0, 3),
    )


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to four places, None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None
