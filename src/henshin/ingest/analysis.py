"""What ingest keeps of the understanding layer's analysis, per engagement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from henshin.config import Settings, get_settings
from henshin.connectors.types import InboundEngagement
from henshin.understand import analyze_many, require_deep


@dataclass(frozen=True)
class Understood:
    language: str | None
    sentiment_label: str | None
    sentiment_score: float | None
    is_spam: bool
    is_gratitude: bool
    urgency: str
    document: dict[str, Any]


def require_understanding(settings: Settings) -> None:
    """At start-up (app, worker): with deep mode on, fail now, naming the package to install,
    rather than on the first message or by quietly running the fast path."""
    if settings.understand_deep:
        require_deep()


def understand_batch(
    items: list[InboundEngagement], *, order_patterns: list[str] | None = None, deep: bool | None = None
) -> list[Understood]:
    """Analyse each engagement's text (batched); network hints feed language and flame risk.

    ``deep`` defaults to the ``HENSHIN_UNDERSTAND_DEEP`` setting; the stored document
    records the mode (``"mode": "fast" | "deep"``).
    """
    if deep is None:
        deep = get_settings().understand_deep
    hints = [
        {
            "language": item.language_hint or item.author.language,
            "followers": item.author.followers or 0,
            "replies": item.metrics.replies if item.metrics else 0,
            "quotes": item.metrics.quotes if item.metrics else 0,
            "reposts": item.metrics.reposts if item.metrics else 0,
            "order_patterns": order_patterns or [],
        }
        for item in items
    ]
    analyses = analyze_many([item.text for item in items], hints=hints, deep=deep)
    out = []
    for item, analysis in zip(items, analyses, strict=True):
        language = analysis.language if analysis.language != "unknown" else item.language_hint
        out.append(
            Understood(
                language=language,
                sentiment_label=analysis.sentiment.label,
                sentiment_score=round(float(analysis.sentiment.score), 4),
                is_spam=bool(analysis.spam.is_spam),
                is_gratitude="gratitude_only" in analysis.intents,
                urgency=analysis.urgency.level,
                document=analysis.to_dict(),
            )
        )
    return out
