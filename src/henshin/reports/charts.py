"""Inline SVG charts, drawn on the server: bars with links, and the hour × weekday heatmap.

Each mark is an ``<a>`` to the tickets behind it and carries a ``<title>`` (the tooltip
and the accessible name), so a chart reads without JavaScript and without a chart library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    title: str
    href: str


def bar_chart(bars: Sequence[Bar], *, height: int = 160, bar_width: int = 22, label_every: int = 1,
              color: str = "#2f6fb0") -> Markup:
    """Vertical bars scaled to the largest value; empty values leave a gap."""
    top = max((b.value or 0.0 for b in bars), default=0.0) or 1.0
    width = max(len(bars) * (bar_width + 4) + 8, 60)
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height + 24}" width="{width}" height="{height + 24}">']
    for i, bar in enumerate(bars):
        x = 4 + i * (bar_width + 4)
        h = 0 if bar.value is None else max(1, round((bar.value / top) * height))
        parts.append(
            f'<a href="{escape(bar.href)}"><title>{escape(bar.title)}</title>'
            f'<rect x="{x}" y="{height - h}" width="{bar_width}" height="{h}" fill="{color}" rx="2"></rect>'
            f'<rect x="{x}" y="0" width="{bar_width}" height="{height}" fill="transparent"></rect></a>'
        )
        if i % label_every == 0:
            parts.append(f'<text x="{x + bar_width / 2}" y="{height + 14}" font-size="9" text-anchor="middle">'
                         f'{escape(bar.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text and link above is escaped)


def heatmap_chart(grid: Sequence[Sequence[int]], weekday_names: Sequence[str], href: str,
                  title: str) -> Markup:
    """7 rows (Monday first) × 24 hours; darker is busier. ``href`` gets ``&weekday=&hour=``."""
    top = max((v for row in grid for v in row), default=0) or 1
    cell, left = 18, 36
    width, height = left + 24 * cell + 4, 7 * cell + 20
    parts = [f'<svg class="chart heatmap" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for day, row in enumerate(grid):
        parts.append(f'<text x="0" y="{day * cell + 13}" font-size="10">{escape(weekday_names[day])}</text>')
        for hour, value in enumerate(row):
            shade = 0.06 + 0.94 * (value / top) if value else 0.0
            fill = f"rgba(47,111,176,{shade:.2f})" if value else "#f1f3f5"
            tip = title.format(day=weekday_names[day], hour=hour, n=value)
            parts.append(
                f'<a href="{escape(href)}&amp;weekday={day}&amp;hour={hour}"><title>{escape(tip)}</title>'
                f'<rect x="{left + hour * cell}" y="{day * cell}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{fill}" rx="2"></rect></a>'
            )
    parts.extend(f'<text x="{left + hour * cell}" y="{7 * cell + 14}" font-size="9">{hour}</text>'
                 for hour in range(0, 24, 3))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text and link above is escaped)
