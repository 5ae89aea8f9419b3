"""Ranking saved replies and knowledge-base articles for a customer's message, offline.

The index scores with BM25 over character 2- and 3-grams of folded text (see
:mod:`henshin.replies.similarity`): no tokenizer, no model download, the same code for
Japanese, English and mixed text, and one query over 6,000 entries takes a few
milliseconds on one core. Its top-3 hit rate on real customer ↔ brand conversations is
measured by ``benchmarks/replies.py`` (``scripts/suggest_quality.py`` says how).

Postings are kept per n-gram, so adding or removing one saved reply touches only its own
n-grams; document frequencies are updated in place, and the numpy arrays a query reads are
rebuilt lazily, per n-gram, on the next query that needs them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from henshin.replies.similarity import char_ngrams, comparable_text

SourceKind = Literal["saved_reply", "article"]

_K1 = 1.2
_B = 0.75
_TITLE_WEIGHT = 2  # a saved reply's title ("配送遅延のお詫び") says what it answers


@dataclass(frozen=True, slots=True)
class SuggestionSource:
    """A saved reply or knowledge-base article the index can suggest."""

    id: str
    kind: SourceKind
    title: str
    body: str
    language: str | None = None  # None: any language
    network: str | None = None  # None: any network
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One ranked match; ``score`` is in [0, 1] (1 = every n-gram of the message matched)."""

    id: str
    kind: SourceKind
    score: float


class SuggestionIndex:
    """Saved replies and articles of one workspace, ranked against a customer message."""

    def __init__(self, sources: Iterable[SuggestionSource] = ()) -> None:
        self._sources: list[SuggestionSource | None] = []
        self._slot_of: dict[str, int] = {}
        self._grams_of: list[Counter[str]] = []
        self._lengths: list[float] = []
        self._postings: dict[str, dict[int, float]] = {}
        self._arrays: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = {}
        self._alive_count = 0
        self._total_length = 0.0
        self._filters_dirty = True
        self._languages: npt.NDArray[np.object_] = np.empty(0, dtype=object)
        self._networks: npt.NDArray[np.object_] = np.empty(0, dtype=object)
        self._alive: npt.NDArray[np.bool_] = np.empty(0, dtype=bool)
        self._length_array: npt.NDArray[np.float64] = np.empty(0)
        for source in sources:
            self.add(source)

    def __len__(self) -> int:
        return self._alive_count

    def __contains__(self, source_id: object) -> bool:
        return source_id in self._slot_of

    def get(self, source_id: str) -> SuggestionSource | None:
        """Return the indexed source with this id, if any."""
        slot = self._slot_of.get(source_id)
        return None if slot is None else self._sources[slot]

    def add(self, source: SuggestionSource) -> None:
        """Index a saved reply or article (replacing an earlier one with the same id)."""
        if source.id in self._slot_of:
            self.remove(source.id)
        grams = _document_grams(source)
        slot = len(self._sources)
        self._sources.append(source)
        self._slot_of[source.id] = slot
        self._grams_of.append(grams)
        length = float(sum(grams.values()))
        self._lengths.append(length)
        self._total_length += length
        self._alive_count += 1
        for gram, tf in grams.items():
            self._postings.setdefault(gram, {})[slot] = float(tf)
            self._arrays.pop(gram, None)
        self._filters_dirty = True

    def remove(self, source_id: str) -> bool:
        """Remove a source; returns False when it was not indexed."""
        slot = self._slot_of.pop(source_id, None)
        if slot is None:
            return False
        for gram in self._grams_of[slot]:
            posting = self._postings[gram]
            del posting[slot]
            if not posting:
                del self._postings[gram]
            self._arrays.pop(gram, None)
        self._total_length -= self._lengths[slot]
        self._sources[slot] = None
        self._grams_of[slot] = Counter()
        self._alive_count -= 1
        self._filters_dirty = True
        if len(self._sources) > 64 and self._alive_count < len(self._sources) // 2:
            self._compact()
        return True

    def suggest(
        self,
        text: str,
        *,
        language: str | None = None,
        network: str | None = None,
        k: int = 5,
        kind: SourceKind | None = None,
    ) -> list[Suggestion]:
        """Return up to ``k`` sources most relevant to a customer message, best first.

        ``language`` / ``network`` keep sources written for that language / network and
        those marked for any; ``kind`` keeps only saved replies or only articles.
        Sources that share no n-gram with the message are never returned.
        """
        if self._alive_count == 0 or k <= 0:
            return []
        query = set(char_ngrams(comparable_text(text)))
        if not query:
            return []
        self._refresh_filters()
        n_slots = len(self._sources)
        scores = np.zeros(n_slots)
        avg_length = self._total_length / self._alive_count
        norms = _K1 * (1.0 - _B + _B * self._length_array / avg_length)
        best_possible = 0.0
        for gram in query:
            posting = self._postings.get(gram)
            if posting is None:
                continue
            slots, tfs = self._posting_arrays(gram, posting)
            df = len(slots)
            idf = math.log(1.0 + (self._alive_count - df + 0.5) / (df + 0.5))
            scores[slots] += idf * tfs * (_K1 + 1.0) / (tfs + norms[slots])
            best_possible += idf * (_K1 + 1.0)
        mask = self._alive & (scores > 0)
        if language is not None:
            mask &= (self._languages == language) | (self._languages == None)  # noqa: E711
        if network is not None:
            mask &= (self._networks == network) | (self._networks == None)  # noqa: E711
        candidates = np.flatnonzero(mask)
        if kind is not None:
            candidates = np.array(
                [s for s in candidates if (src := self._sources[s]) and src.kind == kind],
                dtype=np.int64,
            )
        if candidates.size == 0:
            return []
        top = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
        results: list[Suggestion] = []
        for slot in top:
            source = self._sources[int(slot)]
            assert source is not None
            score = float(scores[slot]) / best_possible if best_possible else 0.0
            results.append(Suggestion(id=source.id, kind=source.kind, score=min(score, 1.0)))
        return results

    def _posting_arrays(
        self, gram: str, posting: dict[int, float]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        arrays = self._arrays.get(gram)
        if arrays is None:
            arrays = (
                np.fromiter(posting.keys(), dtype=np.int64, count=len(posting)),
                np.fromiter(posting.values(), dtype=np.float64, count=len(posting)),
            )
            self._arrays[gram] = arrays
        return arrays

    def _refresh_filters(self) -> None:
        if not self._filters_dirty:
            return
        sources = self._sources
        self._languages = np.array([s.language if s else None for s in sources], dtype=object)
        self._networks = np.array([s.network if s else None for s in sources], dtype=object)
        self._alive = np.array([s is not None for s in sources], dtype=bool)
        self._length_array = np.array(self._lengths, dtype=np.float64)
        self._filters_dirty = False

    def _compact(self) -> None:
        alive = [s for s in self._sources if s is not None]
        self.__init__(alive)  # type: ignore[misc]


def _document_grams(source: SuggestionSource) -> Counter[str]:
    grams = char_ngrams(comparable_text(source.body))
    title = char_ngrams(comparable_text(" ".join((source.title, *source.tags))))
    for gram, count in title.items():
        grams[gram] += count * _TITLE_WEIGHT
    return grams
