"""Ingest throughput: engagements/s through the ingest service in batches of 500.

    .venv/bin/python benchmarks/ingest.py [--batches 20] [--db sqlite,postgres]

Two figures per database: the full path (understanding + storage: what production runs)
and storage only (analysis replaced by a constant), so each cost is visible.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from common import emit, machine, postgres_database, sqlite_database
from dataset import populate

from henshin.connectors.types import Author, EngagementKind, InboundEngagement
from henshin.db.session import Database
from henshin.ingest.analysis import Understood
from henshin.ingest.service import ingest_with_retry

TEXTS = [
    "注文した本がまだ届きません。配送状況を教えてください", "営業時間は何時までですか？",
    "新作の桜ラテ最高でした☕", "My order is late again, third time this month",
    "Do you ship to Canada?", "クレジットカードで二重請求されています！", "Love the new cafe in Kyoto!",
    "返金はいつになりますか", "アプリにログインできません、朝から繋がらない", "Is the gift box in stock?",
    "ありがとうございました！解決しました", "副業で月100万円！詳しくはプロフのリンクから",
]


def batch_of(rng: random.Random, start: int, size: int) -> list[InboundEngagement]:
    base = datetime(2026, 11, 1, tzinfo=UTC)
    items = []
    for i in range(start, start + size):
        dm = rng.random() < 0.2
        author = f"u{rng.randrange(20000)}"
        items.append(InboundEngagement(
            external_id=f"bench-{i}", kind=EngagementKind.DM if dm else EngagementKind.MENTION,
            thread_id=f"conv-{author}" if dm else None,
            author=Author(external_id=author, handle=author, followers=rng.randrange(10000)),
            text=rng.choice(TEXTS), created_at=base + timedelta(seconds=i),
        ))
    return items


def constant_analysis(items: list[InboundEngagement]) -> list[Understood]:
    return [Understood("ja", "neutral", 0.0, False, False, "normal", {}) for _ in items]


def run(database: Database, batches: int, size: int) -> dict[str, object]:
    data = populate(database, tickets=0, agents=2, progress=False)
    channel_id = data.channel_ids[0]
    rng = random.Random(3)
    out: dict[str, object] = {}
    for label, analyzer in (("full", None), ("storage_only", constant_analysis)):
        offset = 10_000_000 if label == "full" else 20_000_000
        prepared = [batch_of(rng, offset + b * size, size) for b in range(batches)]
        with database.sessions() as db:  # warm-up
            ingest_with_retry(db, workspace_id=data.workspace_id, channel_id=channel_id,
                              items=batch_of(rng, offset - 10_000, size))
        start = time.perf_counter()
        for items in prepared:
            with database.sessions() as db:
                if analyzer is None:
                    ingest_with_retry(db, workspace_id=data.workspace_id, channel_id=channel_id, items=items)
                else:
                    from henshin.ingest.service import ingest_batch

                    ingest_batch(db, workspace_id=data.workspace_id, channel_id=channel_id, items=items,
                                 analyzer=analyzer)
                    db.commit()
        elapsed = time.perf_counter() - start
        out[f"{label}_engagements_per_s"] = round(batches * size / elapsed)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    out: dict[str, object] = {"benchmark": "ingest", "batch_size": args.size, "batches": args.batches,
                              "machine": machine(), "target_sqlite_per_s": 5000}
    if "sqlite" in args.db:
        with sqlite_database() as database:
            out["sqlite"] = run(database, args.batches, args.size)
    if "postgres" in args.db:
        with postgres_database() as database:
            out["postgres"] = run(database, args.batches, args.size) if database else "PostgreSQL not installed"
    emit(out)


if __name__ == "__main__":
    main()
