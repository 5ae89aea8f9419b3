"""`henshin analyze [FILE]`: one text per line (or JSONL with "text") in, one JSON object per line out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from henshin.understand.analysis import analyze_many

BATCH = 500


def _records(lines: Iterable[str]) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """(text, hints) per input line; a JSON object line may carry hints next to "text"."""
    for raw in lines:
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if stripped.startswith("{"):
            try:
                record = json.loads(stripped)
            except json.JSONDecodeError:
                record = None
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                hints = {k: v for k, v in record.items() if k != "text"}
                yield record["text"], hints or None
                continue
        yield line, None


def _emit(batch: list[tuple[str, dict[str, Any] | None]], out: TextIO, *, deep: bool) -> None:
    analyses = analyze_many([text for text, _ in batch], hints=[hints for _, hints in batch], deep=deep)
    for analysis in analyses:
        out.write(json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n")
    out.flush()


def analyze_command(file: Path | None = None, *, deep: bool = False) -> None:
    """Read texts from ``file`` (or stdin) and print one JSON analysis per line, in input order.

    With ``deep`` a missing encoder package fails before any input is read.
    """
    if deep:
        from henshin.understand.deep import require_deep

        require_deep()
    source: TextIO = file.open(encoding="utf-8") if file is not None else sys.stdin
    try:
        batch: list[tuple[str, dict[str, Any] | None]] = []
        for record in _records(source):
            batch.append(record)
            if len(batch) >= BATCH:
                _emit(batch, sys.stdout, deep=deep)
                batch = []
        if batch:
            _emit(batch, sys.stdout, deep=deep)
    finally:
        if file is not None:
            source.close()
