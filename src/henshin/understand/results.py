"""What understanding a message produces: the `Analysis` and its parts (frozen, JSON-ready)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from henshin.understand.pii import PiiSpan

SentimentLabel = Literal["positive", "neutral", "negative"]
UrgencyLevel = Literal["L3", "high", "normal"]
AnalysisMode = Literal["fast", "deep"]
INTENTS = ("question", "complaint", "praise", "feedback", "purchase_intent", "order_payment",
           "gratitude_only", "other")


@dataclass(frozen=True, slots=True)
class Sentiment:
    """Polarity with a score in [-1, 1] (negative → positive) and a confidence in [0, 1]."""

    label: SentimentLabel
    score: float
    confidence: float


@dataclass(frozen=True, slots=True)
class Spam:
    """Spam / word-salad verdict; ``score`` in [0, 1]."""

    is_spam: bool
    score: float


@dataclass(frozen=True, slots=True)
class Urgency:
    """L3 (money lost, outage, defect/safety, legal risk, flame risk), high (purchase intent) or normal."""

    level: UrgencyLevel
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything henshin understands about one message."""

    language: str
    sentiment: Sentiment
    spam: Spam
    intents: list[str]
    urgency: Urgency
    pii: list[PiiSpan]
    # Which path produced it: stored with the engagement, so re-analysis can find old ones.
    mode: AnalysisMode = "fast"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, the shape ``henshin analyze`` prints."""
        return {
            "language": self.language,
            "sentiment": {"label": self.sentiment.label, "score": round(self.sentiment.score, 4),
                          "confidence": round(self.sentiment.confidence, 4)},
            "spam": {"is_spam": self.spam.is_spam, "score": round(self.spam.score, 4)},
            "intents": list(self.intents),
            "urgency": {"level": self.urgency.level, "reasons": list(self.urgency.reasons)},
            "pii": [span.to_dict() for span in self.pii],
            "mode": self.mode,
        }
