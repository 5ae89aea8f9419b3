"""Shared benchmark plumbing: timing, percentiles, throwaway databases, JSON output."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from henshin.db.base import Base  # noqa: E402
from henshin.db.engine import make_engine  # noqa: E402
from henshin.db.session import Database  # noqa: E402


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2),
            "max_ms": round(ordered[-1], 2), "n": len(ordered)}


def timed(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def machine() -> dict[str, object]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def emit(result: dict[str, object]) -> None:
    print(json.dumps(result, ensure_ascii=False, indent=2))


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory(prefix="henshin-bench-") as tmp:
        database = Database(make_engine(f"sqlite:///{tmp}/bench.sqlite3"))
        import henshin.models  # noqa: F401

        Base.metadata.create_all(database.engine)
        try:
            yield database
        finally:
            database.dispose()


@contextmanager
def postgres_database() -> Iterator[Database | None]:
    from tests.support.postgres import start_postgres

    server = start_postgres()
    if server is None:
        yield None
        return
    try:
        database = Database(make_engine(server.url))
        import henshin.models  # noqa: F401

        Base.metadata.create_all(database.engine)
        try:
            yield database
        finally:
            database.dispose()
    finally:
        server.stop("immediate")
