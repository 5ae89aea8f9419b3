"""Understanding each message: language, sentiment, spam, intent, urgency and personal data.

Pure functions over text, offline, Japanese and English. Importing this package is cheap:
`is_gratitude_only` and `fold` come in at once; `analyze` and the rest (numpy, models,
lexicons) are imported on first use, and models load lazily, once, thread-safe.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from henshin.understand.gratitude import is_gratitude_only
from henshin.understand.normalize import display_form, fold

if TYPE_CHECKING:
    from henshin.understand.analysis import analyze, analyze_many
    from henshin.understand.deep import DeepModeUnavailable, require_deep
    from henshin.understand.language import detect_language
    from henshin.understand.pii import PiiSpan, find_pii, redact
    from henshin.understand.results import INTENTS, Analysis, Sentiment, Spam, Urgency

_LAZY = {
    "analyze": "analysis", "analyze_many": "analysis", "detect_language": "language",
    "PiiSpan": "pii", "find_pii": "pii", "redact": "pii", "INTENTS": "results",
    "Analysis": "results", "Sentiment": "results", "Spam": "results", "Urgency": "results",
    "DeepModeUnavailable": "deep", "require_deep": "deep",
}

__all__ = [
    "INTENTS", "Analysis", "DeepModeUnavailable", "PiiSpan", "Sentiment", "Spam", "Urgency", "analyze",
    "analyze_many", "detect_language", "display_form", "find_pii", "fold", "is_gratitude_only", "redact",
    "require_deep",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'henshin.understand' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"henshin.understand.{module}"), name)
    globals()[name] = value
    return value
