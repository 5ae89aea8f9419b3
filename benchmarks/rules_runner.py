"""Benchmark: rules end to end through the runner on SQLite, with 1,000 enabled rules.

Stores the same realistic 1,000-rule mix as ``benchmarks/rules.py`` in one workspace,
ingests engagements built from real Japanese and English posts, then runs the
``engagement_received`` trigger exactly as the bus listener does — one unit of work per
engagement: load ticket, engagement, contact and tags, build the subject, match, write
the rule runs, carry out and log the actions, commit. Prints JSON: engagements/s through
the runner (one thread), how many rules fired per engagement, and the matching-only rate
for comparison.

    .venv/bin/python benchmarks/rules_runner.py [--engagements 2000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit, machine, sqlite_database  # noqa: E402

from henshin.channels.actions import do_create_channel  # noqa: E402
from henshin.connectors.types import InboundEngagement  # noqa: E402
from henshin.events.bus import Actor, clear_listeners  # noqa: E402
from henshin.ingest.service import ingest_batch  # noqa: E402
from henshin.rules import repository as repo  # noqa: E402
from henshin.rules.actions import do_create_rule  # noqa: E402
from henshin.rules.queries import compiled_rules  # noqa: E402
from henshin.rules.runner import run_rules  # noqa: E402
from henshin.workspaces.actions import do_create_workspace  # noqa: E402
from rules import real_texts, realistic_rule, vocabulary  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1_000)
    parser.add_argument("--engagements", type=int, default=2_000)
    args = parser.parse_args()
    clear_listeners()  # measure the runner alone, not the reports or the bus
    rng = random.Random(2026)
    ja, en, source = real_texts()
    vocab = vocabulary(ja, en)
    base = datetime.now(UTC) - timedelta(hours=1)
    with sqlite_database() as database:
        with database.unit_of_work() as db:
            workspace = do_create_workspace(db, slug="bench", name="Bench")
            channel = do_create_channel(db, workspace_id=workspace.id, network="x", name="x")
            started = time.perf_counter()
            for index in range(args.rules):
                do_create_rule(db, workspace.id, actor=Actor.system(), data=realistic_rule(rng, vocab, index))
            store_seconds = time.perf_counter() - started
            workspace_id, channel_id = workspace.id, channel.id
        items = []
        for n in range(args.engagements):
            text = rng.choice(ja if n % 3 else en)[:280]
            items.append(InboundEngagement.model_validate({
                "external_id": f"bench-{n}", "kind": rng.choice(["comment", "mention", "reply"]),
                "author": {"external_id": f"a{n % 500}", "followers": rng.choice([10, 500, 20_000])},
                "text": text, "created_at": (base + timedelta(seconds=n)).isoformat()}))
        outcomes = []
        for start in range(0, len(items), 500):
            with database.unit_of_work() as db:
                outcomes += ingest_batch(db, workspace_id=workspace_id, channel_id=channel_id,
                                         items=items[start:start + 500])
        with database.sessions() as db:
            started = time.perf_counter()
            compiled_rules(db, workspace_id)
            compile_seconds = time.perf_counter() - started
        fired = 0
        started = time.perf_counter()
        for outcome in outcomes:
            with database.unit_of_work() as db:
                ticket = repo.ticket(db, workspace_id, outcome.ticket_id or 0)
                engagement = repo.engagement(db, workspace_id, outcome.engagement_id or 0)
                assert ticket is not None
                fired += len(run_rules(db, ticket=ticket, trigger="engagement_received",
                                       fire_key=f"engagement:{outcome.engagement_id}", engagement=engagement))
        runner_seconds = time.perf_counter() - started
    emit({
        "benchmark": "rules_runner",
        "database": "sqlite",
        "machine": machine(),
        "text_source": source,
        "rules": args.rules,
        "store_rules_seconds": round(store_seconds, 2),
        "compile_seconds": round(compile_seconds, 3),
        "engagements": len(outcomes),
        "runner_engagements_per_s": round(len(outcomes) / runner_seconds, 1),
        "rules_fired_per_engagement": round(fired / len(outcomes), 2),
        "note": "one unit of work (commit) per engagement, as the bus listener runs it",
    })


if __name__ == "__main__":
    main()
