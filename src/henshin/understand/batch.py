"""A batch of texts prepared once for every analyser: folded forms, languages, feature ids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from henshin.understand.features import feature_ids
from henshin.understand.linear import load_stack
from henshin.understand.normalize import fold

CJK_LANGUAGES = frozenset({"ja", "zh", "ko"})
LATIN_MODELS = ("sentiment_en", "spam", "complaint")


@dataclass
class TextBatch:
    """Texts with their ``fold()`` forms and languages; feature ids computed on first use."""

    texts: Sequence[str]
    languages: Sequence[str]
    folded: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.folded:
            self.folded = [fold(t) for t in self.texts]

    @cached_property
    def latin(self) -> list[int]:
        """Indices of the texts the English-trained models score (not ja / zh / ko)."""
        return [i for i, language in enumerate(self.languages) if language not in CJK_LANGUAGES]

    @cached_property
    def latin_ids(self) -> list[list[int]]:
        """Hashed feature ids of the `latin` texts, shared by the linear models."""
        return [feature_ids(self.texts[i], self.folded[i]) for i in self.latin]

    @cached_property
    def latin_probabilities(self) -> dict[str, npt.NDArray[np.float32]]:
        """Per shipped model, class probabilities of the `latin` texts (one shared gather)."""
        return load_stack(LATIN_MODELS).probabilities_from_ids(self.latin_ids)
