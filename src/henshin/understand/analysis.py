"""The entry point: `analyze` one message, or `analyze_many` for a batch (ingest uses 500).

``deep=True`` adds the multilingual-USE heads (`henshin.understand.deep`): better complaints
and sentiment at about 2.5 ms per text instead of 0.3 (batched, one core); it needs
``pip install 'henshin[deep]'``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from henshin.understand.batch import TextBatch
from henshin.understand.intent import analyze_intents
from henshin.understand.language import detect_language
from henshin.understand.pii import find_pii
from henshin.understand.results import Analysis
from henshin.understand.sentiment import analyze_sentiment
from henshin.understand.spam import analyze_spam
from henshin.understand.urgency import analyze_urgency

Hints = Mapping[str, Any]


def _hints_for(hints: Hints | Sequence[Hints | None] | None, count: int) -> list[Hints]:
    if hints is None:
        return [{}] * count
    if isinstance(hints, Mapping):
        return [hints] * count
    if len(hints) != count:
        raise ValueError(f"got {len(hints)} hints for {count} texts")
    return [h or {} for h in hints]


def analyze_many(texts: Sequence[str], *,
                 hints: Hints | Sequence[Hints | None] | None = None, deep: bool = False) -> list[Analysis]:
    """Analyse a batch; the models run once over the batch, so per-message cost drops.

    ``hints`` is one mapping for all texts or one per text (``followers``, ``replies``,
    ``quotes``, ``reposts``, ``language``, ``order_patterns``). ``deep`` runs the opt-in
    deep mode; without its package it raises `DeepModeUnavailable`, never falls back.
    """
    per_text = _hints_for(hints, len(texts))
    texts = [t if isinstance(t, str) else "" if t is None else str(t) for t in texts]
    languages = [detect_language(t, hint=h.get("language")) for t, h in zip(texts, per_text, strict=True)]
    batch = TextBatch(texts=texts, languages=languages)
    sentiments = analyze_sentiment(batch)
    spams = analyze_spam(batch)
    if deep:
        from henshin.understand.deep import deepen  # the encoder loads only in deep mode

        deeper = deepen(batch, sentiments)
        sentiments = deeper.sentiments
        intents = analyze_intents(batch, sentiments, deeper.complaint_scores,
                                  complaint_judged=deeper.complaint_judged)
    else:
        intents = analyze_intents(batch, sentiments)
    results: list[Analysis] = []
    for index, text in enumerate(texts):
        hint = per_text[index]
        results.append(Analysis(
            language=languages[index],
            sentiment=sentiments[index],
            spam=spams[index],
            intents=intents[index],
            urgency=analyze_urgency(text, sentiments[index], intents[index], hint),
            pii=find_pii(text, order_patterns=tuple(hint.get("order_patterns") or ())),
            mode="deep" if deep else "fast",
        ))
    return results


def analyze(text: str, *, hints: Hints | None = None, deep: bool = False) -> Analysis:
    """Analyse one message: language, sentiment, spam, intents, urgency and personal data."""
    return analyze_many([text], hints=hints, deep=deep)[0]
