"""Shipped linear models over hashed features: loading (lazy, once, thread-safe) and scoring.

Artifacts live in ``henshin/understand/models/<name>.npz`` and are written by
``scripts/train_understand.py``. They are stored sparse (only non-zero rows) to stay small.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

from henshin.understand.features import DIMS, feature_ids

_LOCK = threading.Lock()
_LOADED: dict[str, LinearModel] = {}


@dataclass(frozen=True)
class LinearModel:
    """Softmax (or, with one label pair, logistic) regression over hashed features."""

    labels: tuple[str, ...]
    weights: npt.NDArray[np.float32]  # (DIMS, len(labels))
    bias: npt.NDArray[np.float32]  # (len(labels),)
    temperature: float = 1.0

    def scores(self, id_lists: Sequence[Sequence[int]]) -> npt.NDArray[np.float32]:
        """Raw scores, one row per text; features are summed, then length-normalised."""
        rows = len(id_lists)
        out = np.tile(self.bias, (rows, 1))
        lengths = np.fromiter((len(ids) for ids in id_lists), dtype=np.int64, count=rows)
        if lengths.sum() == 0:
            return out
        flat = np.fromiter((i for ids in id_lists for i in ids), dtype=np.int64, count=int(lengths.sum()))
        gathered = self.weights[flat]
        nonempty = lengths > 0
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
        sums = np.add.reduceat(gathered, starts, axis=0)
        out[nonempty] += sums / np.sqrt(lengths[nonempty])[:, None]
        return out

    def probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Class probabilities for each text, in ``labels`` order."""
        return self.probabilities_from_ids([feature_ids(t) for t in texts])

    def probabilities_from_ids(self, id_lists: Sequence[Sequence[int]]) -> npt.NDArray[np.float32]:
        """Class probabilities from precomputed `feature_ids` (shared by several models)."""
        z = self.scores(id_lists) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def save(self, path: str) -> None:
        """Write the model sparse: only rows with a non-zero weight."""
        rows = np.flatnonzero(np.abs(self.weights).sum(axis=1) > 1e-6)
        np.savez_compressed(
            path, labels=np.array(self.labels), rows=rows.astype(np.int32),
            values=self.weights[rows].astype(np.float16), bias=self.bias,
            temperature=np.array([self.temperature]),
        )


def from_arrays(archive: dict[str, npt.NDArray[np.generic]]) -> LinearModel:
    """Rebuild a model from the arrays `LinearModel.save` wrote."""
    labels = tuple(str(x) for x in archive["labels"])
    weights = np.zeros((DIMS, len(labels)), dtype=np.float32)
    weights[archive["rows"]] = archive["values"].astype(np.float32)
    return LinearModel(
        labels=labels, weights=weights, bias=archive["bias"].astype(np.float32),
        temperature=float(archive["temperature"][0]),
    )


def load_model(name: str) -> LinearModel:
    """The shipped model ``name`` (``sentiment_en``, ``complaint``, ``spam``), loaded once."""
    model = _LOADED.get(name)
    if model is not None:
        return model
    with _LOCK:
        model = _LOADED.get(name)
        if model is None:
            resource = resources.files("henshin.understand") / "models" / f"{name}.npz"
            with resource.open("rb") as handle, np.load(handle) as archive:
                model = from_arrays({key: archive[key] for key in archive.files})
            _LOADED[name] = model
    return model


@dataclass(frozen=True)
class ModelStack:
    """Several models sharing one feature gather: their weights side by side."""

    names: tuple[str, ...]
    model: LinearModel  # the concatenation; labels are "<name>:<label>"
    spans: tuple[tuple[int, int], ...]  # column range of each model

    def probabilities_from_ids(self, id_lists: Sequence[Sequence[int]]) -> dict[str, npt.NDArray[np.float32]]:
        """Per model name, its class probabilities for each text."""
        raw = self.model.scores(id_lists)
        out: dict[str, npt.NDArray[np.float32]] = {}
        for name, (start, end) in zip(self.names, self.spans, strict=True):
            z = raw[:, start:end] / _LOADED[name].temperature
            z = z - z.max(axis=1, keepdims=True)
            p = np.exp(z)
            out[name] = p / p.sum(axis=1, keepdims=True)
        return out


_STACKS: dict[tuple[str, ...], ModelStack] = {}


def load_stack(names: tuple[str, ...]) -> ModelStack:
    """The shipped models ``names`` stacked for one shared gather, built once."""
    stack = _STACKS.get(names)
    if stack is not None:
        return stack
    models = [load_model(name) for name in names]
    with _LOCK:
        stack = _STACKS.get(names)
        if stack is None:
            spans: list[tuple[int, int]] = []
            start = 0
            for model in models:
                spans.append((start, start + len(model.labels)))
                start += len(model.labels)
            combined = LinearModel(
                labels=tuple(f"{n}:{label}" for n, m in zip(names, models, strict=True) for label in m.labels),
                weights=np.ascontiguousarray(np.concatenate([m.weights for m in models], axis=1)),
                bias=np.concatenate([m.bias for m in models]),
            )
            stack = ModelStack(names=names, model=combined, spans=tuple(spans))
            _STACKS[names] = stack
    return stack
