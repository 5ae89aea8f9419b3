"""Benchmark: rules end to end through the runner on SQLite, with 1,000 enabled rules.

Stores the same realistic 1,000-rule mix as ``benchmarks/rules.py`` in one workspace,
ingests engagements built from real Japanese and English posts in batches of 500, then
runs the ``engagement_received`` trigger two ways in the same run, on different
engagements of the same mix: one unit of work per engagement (how the bus listener
committed before), and one per batch of jobs (how it runs now: `run_rule_jobs` on the
jobs of a committed ingest batch, in chunks of the listener's ``BATCH_SIZE``). Each
loads tickets, engagements, contacts and tags, builds the subjects, matches, writes the
rule runs, carries out and logs the actions and commits. Prints JSON: engagements/s both ways (one thread) and rules fired per engagement.

    .venv/bin/python benchmarks/rules_runner.py [--engagements 2000] [--single-engagements 300]
"""

from __future__ import annotations

import argparse
import os
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
from henshin.rules.listeners import BATCH_SIZE  # noqa: E402
from henshin.rules.queries import compiled_rules  # noqa: E402
from henshin.rules.runner import RuleJob, run_rule_jobs  # noqa: E402
from henshin.workspaces.actions import do_create_workspace  # noqa: E402
from rules import real_texts, realistic_rule, vocabulary  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1_000)
    parser.add_argument("--engagements", type=int, default=2_000)
    parser.add_argument("--single-engagements", type=int, default=300)
    parser.add_argument("--ingest-batch", type=int, default=500)
    parser.add_argument("--batch", type=int, default=BATCH_SIZE, help="jobs per unit of work")
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
        for n in range(args.single_engagements + args.engagements):
            text = rng.choice(ja if n % 3 else en)[:280]
            items.append(InboundEngagement.model_validate({
                "external_id": f"bench-{n}", "kind": rng.choice(["comment", "mention", "reply"]),
                "author": {"external_id": f"a{n % 500}", "followers": rng.choice([10, 500, 20_000])},
                "text": text, "created_at": (base + timedelta(seconds=n)).isoformat()}))
        outcomes = []
        for start in range(0, len(items), args.ingest_batch):
            with database.unit_of_work() as db:
                outcomes += ingest_batch(db, workspace_id=workspace_id, channel_id=channel_id,
                                         items=items[start:start + args.ingest_batch])
        with database.sessions() as db:
            started = time.perf_counter()
            compiled_rules(db, workspace_id)
            compile_seconds = time.perf_counter() - started
        jobs = [RuleJob(o.ticket_id or 0, "engagement_received", f"engagement:{o.engagement_id}", o.engagement_id)
                for o in outcomes]
        single, batched = jobs[:args.single_engagements], jobs[args.single_engagements:]

        # Before: one unit of work (commit) per engagement.
        single_fired = 0
        started = time.perf_counter()
        for job in single:
            with database.unit_of_work() as db:
                single_fired += len(run_rule_jobs(db, workspace_id, [job]))
        single_seconds = time.perf_counter() - started

        # After: one unit of work per batch that arrived together (in chunks of BATCH_SIZE jobs),
        # as the bus listener runs it.
        batched_fired = 0
        started = time.perf_counter()
        for start in range(0, len(batched), args.batch):
            with database.unit_of_work() as db:
                batched_fired += len(run_rule_jobs(db, workspace_id, batched[start:start + args.batch]))
        batched_seconds = time.perf_counter() - started
        with database.sessions() as db:
            logged = repo.action_log_count(db, workspace_id)
    emit({
        "benchmark": "rules_runner",
        "database": "sqlite",
        "machine": machine(),
        "load_average_1m": round(os.getloadavg()[0], 2),  # the machine is shared: read with care
        "text_source": source,
        "rules": args.rules,
        "store_rules_seconds": round(store_seconds, 2),
        "compile_seconds": round(compile_seconds, 3),
        "per_engagement": {
            "engagements": len(single),
            "engagements_per_s": round(len(single) / single_seconds, 1),
            "rules_fired_per_engagement": round(single_fired / len(single), 2),
            "note": "one unit of work (commit) per engagement, as the listener committed before",
        },
        "batched": {
            "engagements": len(batched),
            "batch": args.batch,
            "engagements_per_s": round(len(batched) / batched_seconds, 1),
            "rules_fired_per_engagement": round(batched_fired / len(batched), 2),
            "note": "one unit of work per ingest batch; a savepoint per job, one for its actions (per action after a failure)",
        },
        "speedup": round((len(batched) / batched_seconds) / (len(single) / single_seconds), 1),
        "actions_logged": logged,
    })


if __name__ == "__main__":
    main()
