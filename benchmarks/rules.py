"""Benchmark: compiled rule matching vs naive rule-by-rule evaluation.

1,000 enabled rules in one workspace (keyword lists of 20–200 Japanese and English terms,
sentiment, network, author and tag conditions, some regexes, nested any/not), matched
against 10,000 subjects built from real Japanese and English social posts in
``../shared/data`` (synthetic text when that folder is absent). Prints JSON: compiled
engagements/s on one core (one thread, best of three runs; also per second of CPU time, which
a shared machine disturbs less), naive engagements/s in the same run, their ratio, and the
compiled rate as the rule set's keyword count grows 100 → 1,000 → 5,000 (→ 20,000).

    .venv/bin/python benchmarks/rules.py [--subjects 10000] [--naive-subjects 200]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from henshin.rules.compiler import compile_rule_set
from henshin.rules.naive import NaiveRuleSet
from henshin.rules.schema import RuleSpec, parse_rule
from henshin.rules.subject import RuleSubject

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
NETWORKS = ["x", "instagram", "facebook", "tiktok", "youtube", "line", "google_business"]
KINDS = ["comment", "reply", "dm", "mention", "review"]
SKIP_COMMONEST = 2000
CHANNELS = [f"channel-{n}" for n in range(40)]
CARE_TERMS = [
    "返金", "返品", "届かない", "届きません", "遅延", "壊れ", "不良", "交換", "キャンセル",
    "解約", "ログインできない", "エラー", "二重請求", "請求", "問い合わせ", "最悪", "炎上",
    "予約", "在庫", "再入荷", "クーポン", "ポイント", "パスワード", "アプリ", "配送", "送料",
    "refund", "return", "cancel", "broken", "delayed", "late delivery", "double charged",
    "outage", "not working", "can't log in", "password", "coupon", "out of stock",
    "worst", "unacceptable", "customer service", "waiting", "order", "tracking",
]  # fmt: skip


def real_texts() -> tuple[list[str], list[str], str]:
    """Japanese and English posts from the shared data, or synthetic ones if absent."""
    ja: list[str] = []
    en: list[str] = []
    wrime = DATA / "wrime-ver1" / "wrime-ver1-dev.tsv"
    if wrime.exists():
        with wrime.open(encoding="utf-8") as handle:
            ja = [row["Sentence"] for row in csv.DictReader(handle, delimiter="\t")]
    complaints = DATA / "complaints" / "complaints_dev.csv"
    if complaints.exists():
        with complaints.open(encoding="utf-8") as handle:
            en += [row["text"] for row in csv.DictReader(handle)]
    tweeteval = DATA / "tweeteval" / "sentiment" / "val_text.txt"
    if tweeteval.exists():
        en += tweeteval.read_text(encoding="utf-8").splitlines()
    if ja and en:
        return ja, en, "shared/data: wrime-ver1 dev (ja), complaints + tweeteval (en)"
    rng = random.Random(7)
    words = CARE_TERMS + ["今日", "ありがとう", "thanks", "please", "です", "the", "my", "商品"]
    synthetic = [" ".join(rng.choices(words, k=rng.randint(4, 20))) for _ in range(3000)]
    return synthetic[:1500], synthetic[1500:], "synthetic (shared/data absent)"


def vocabulary(ja: list[str], en: list[str]) -> list[str]:
    """Plausible keywords: mid-frequency Japanese 2–4-grams and English words and bigrams."""
    counts: Counter[str] = Counter()
    for text in ja:
        # Kanji/katakana words (3–4 characters): the kind of term people put in keyword lists,
        # not the hiragana grammar that fills Japanese sentences.
        for run in re.findall(r"[\u30a0-\u30ff\u4e00-\u9fff]{3,}", text):
            for size in (3, 4):
                counts.update(run[i : i + size] for i in range(len(run) - size + 1))
        counts.update(re.findall(r"[\u4e00-\u9fff]{2}(?:[\u3040-\u309f]{1,2})", text))
    for text in en:
        tokens = re.findall(r"[a-z']{3,}", text.lower())
        counts.update(t for t in tokens if len(t) >= 5)
        counts.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    ranked = [term for term, _ in counts.most_common()]
    # Rule authors list specific words, not the commonest ones of the language.
    return CARE_TERMS + ranked[SKIP_COMMONEST:40_000]


def keyword_leaf(rng: random.Random, vocab: list[str], low: int, high: int) -> dict[str, Any]:
    return {
        "field": "text",
        "op": "contains_any",
        "value": rng.sample(vocab, rng.randint(low, high)),
    }


def realistic_rule(rng: random.Random, vocab: list[str], index: int) -> dict[str, Any]:
    """One rule of the benchmark mix.

    A workspace with 1,000 rules serves many accounts: most non-keyword rules are scoped
    to a channel or two, as they would be in practice.
    """
    shape = rng.random()
    leaves: list[dict[str, Any]] = []
    channel = {"field": "channel", "op": "in", "value": rng.sample(CHANNELS, rng.randint(1, 2))}
    if shape < 0.60:  # keyword list, maybe on some networks, maybe negative only
        leaves.append(keyword_leaf(rng, vocab, 20, 200))
        if rng.random() < 0.5:
            leaves.append({"field": "network", "op": "in", "value": rng.sample(NETWORKS, 3)})
        if rng.random() < 0.4:
            leaves.append({"field": "sentiment", "op": "eq", "value": "negative"})
    elif shape < 0.70:  # keywords or a very negative score, not for VIPs
        leaves.append(
            {
                "any": [
                    keyword_leaf(rng, vocab, 20, 100),
                    {"field": "sentiment_score", "op": "lte", "value": -0.8},
                ]
            }
        )
        leaves.append({"not": {"field": "contact_labels", "op": "has_any", "value": ["vip"]}})
        leaves.append(channel)
    elif shape < 0.80:  # regex on a channel
        leaves.append(channel)
        leaves.append(
            {
                "field": "text",
                "op": "matches_regex",
                "value": rng.choice(
                    [r"#\d{6,}", r"https?://\S+", r"\d{3}-\d{4}-\d{4}", r"(order|注文)\s*(no|番号)"]
                ),
            }  # fmt: skip
        )
    elif shape < 0.90:  # field conditions only
        leaves.append(channel)
        leaves.append(
            {"field": "sentiment", "op": "eq", "value": rng.choice(["negative", "positive"])}
        )
        leaves.append(
            {"field": "author_followers", "op": "gte", "value": rng.choice([1000, 10_000, 100_000])}
        )
        leaves.append({"field": "kind", "op": "in", "value": rng.sample(KINDS, 2)})
    else:  # nested: (any keywords or all of two) and none of an exclusion list
        leaves.append(
            {
                "any": [
                    keyword_leaf(rng, vocab, 20, 80),
                    {"field": "text", "op": "contains_all", "value": rng.sample(vocab, 2)},
                ]
            }
        )
        leaves.append({"not": keyword_leaf(rng, vocab, 5, 20)})
    return {
        "name": f"rule {index}",
        "conditions": {"all": leaves},
        "actions": [{"type": "tag", "tags": [f"topic-{index % 50}"]}],
        "stop_processing": rng.random() < 0.01,
        "position": index,
    }


def make_subjects(
    rng: random.Random, ja: list[str], en: list[str], count: int
) -> list[RuleSubject]:
    """Mixed Japanese/English engagements with plausible analysis and contact data."""
    subjects = []
    for _ in range(count):
        japanese = rng.random() < 0.5
        score = rng.uniform(-1, 1)
        subjects.append(
            RuleSubject(
                network=rng.choice(NETWORKS),
                channel_id=rng.choice(CHANNELS),
                kind=rng.choice(KINDS),
                text=rng.choice(ja if japanese else en),
                now=NOW,
                created_at=NOW - timedelta(minutes=rng.randint(0, 600)),
                language="ja" if japanese else "en",
                sentiment_label="negative"
                if score < -0.3
                else "positive"
                if score > 0.3
                else "neutral",
                sentiment_score=score,
                author_followers=int(rng.paretovariate(1.2) * 50),
                contact_labels=frozenset({"vip"}) if rng.random() < 0.05 else frozenset(),
                tags=frozenset(),
            )
        )
    return subjects


def rate(rule_set: Any, subjects: list[RuleSubject]) -> tuple[float, int, float]:
    """Engagements per second matching ``subjects`` (fresh ones: folding is counted).

    Returns the wall-clock rate, the rules matched, and the rate per second of this
    process's CPU time, which other processes on a shared machine disturb much less.
    """
    matched = 0
    started, started_cpu = time.perf_counter(), time.process_time()
    for subject in subjects:
        matched += len(rule_set.match(subject))
    cpu = max(time.process_time() - started_cpu, 1e-9)
    return len(subjects) / (time.perf_counter() - started), matched, len(subjects) / cpu


def scan(compiled: Any, subjects: list[RuleSubject]) -> tuple[float, int]:
    """Engagements per second for folding and the keyword scan alone."""
    started = time.perf_counter()
    hits = sum(len(compiled.keyword_hits(subject)) for subject in subjects)
    return len(subjects) / (time.perf_counter() - started), hits


def keyword_scaling(
    rng: random.Random, vocab: list[str], ja: list[str], en: list[str]
) -> list[dict[str, Any]]:
    """100 keyword rules whose lists together hold K distinct keywords, for growing K."""
    rows = []
    for total in (100, 1_000, 5_000, 20_000):
        if total > len(vocab):
            break
        terms = rng.sample(vocab, total)
        per_rule = total // 100
        rules = [
            parse_rule(
                {
                    "name": f"k{i}",
                    "conditions": {
                        "field": "text",
                        "op": "contains_any",
                        "value": terms[i * per_rule : (i + 1) * per_rule],
                    },
                    "actions": [{"type": "close"}],
                }
            )
            for i in range(100)
        ]
        compiled = compile_rule_set(rules)
        compiled_rate, matches, _ = max(
            rate(compiled, make_subjects(rng, ja, en, 5_000)) for _ in range(3)
        )
        scan_rate, hits = max(scan(compiled, make_subjects(rng, ja, en, 5_000)) for _ in range(3))
        naive_rate, _, _ = rate(NaiveRuleSet(rules), make_subjects(rng, ja, en, 300))
        rows.append(
            {
                "keywords": total,
                "compiled_per_s": round(compiled_rate),
                "fold_and_scan_only_per_s": round(scan_rate),
                "keyword_hits_per_engagement": round(hits / 5_000, 2),
                "matched_rules_per_engagement": round(matches / 5_000, 2),
                "naive_per_s": round(naive_rate),
            }
        )
    return rows


def reference_loop_ms() -> float:
    """Milliseconds for an empty one-million-step Python loop: how fast this machine is now."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(1_000_000):
            pass
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1_000)
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--naive-subjects", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(2026)
    ja, en, source = real_texts()
    vocab = vocabulary(ja, en)
    specs: list[RuleSpec] = [parse_rule(realistic_rule(rng, vocab, i)) for i in range(args.rules)]
    started = time.perf_counter()
    compiled = compile_rule_set(specs)
    compile_seconds = time.perf_counter() - started
    naive = NaiveRuleSet(specs)

    # One thread = one core. The machine may be shared, so take the best of three runs
    # (each on fresh subjects: folding the text is part of the cost) and show all three.
    runs = [rate(compiled, make_subjects(rng, ja, en, args.subjects)) for _ in range(3)]
    compiled_rate, compiled_matches, _ = max(runs)
    compiled_cpu_rate = max(cpu for _, _, cpu in runs)
    naive_subjects = make_subjects(random.Random(99), ja, en, args.naive_subjects)
    naive_rate, _, naive_cpu_rate = rate(naive, naive_subjects)
    same = all(
        [m.rule_id for m in compiled.match(s)] == [m.rule_id for m in naive.match(s)]
        for s in naive_subjects
    )
    result = {
        "benchmark": "rules",
        "python": sys.version.split()[0],
        "load_average_1m": round(os.getloadavg()[0], 2),  # the machine is shared: read with care
        "reference_loop_ms": reference_loop_ms(),  # ~10 ms on an idle modern core
        "text_source": source,
        "rules": len(compiled),
        "distinct_keywords": compiled.keyword_count,
        "compile_seconds": round(compile_seconds, 3),
        "subjects": args.subjects,
        "compiled_engagements_per_s": round(compiled_rate),
        "compiled_runs_per_s": [round(r) for r, _, _ in runs],
        "compiled_engagements_per_cpu_s": round(compiled_cpu_rate),  # per second of CPU time
        "compiled_matched_rules_per_engagement": round(compiled_matches / args.subjects, 2),
        "naive_subjects": args.naive_subjects,
        "naive_engagements_per_s": round(naive_rate, 1),
        "naive_engagements_per_cpu_s": round(naive_cpu_rate, 1),
        "speedup": round(compiled_rate / naive_rate, 1),
        "compiled_equals_naive": same,
        "target_engagements_per_s": 20_000,
        "keyword_scaling_100_rules": keyword_scaling(rng, vocab, ja, en),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
