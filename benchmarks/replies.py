"""Composer benchmarks: guards + limit counting, suggestions at scale, suggestion quality.

Prints JSON. Targets (issue 9): guards + limit counting on a reply p95 <= 20 ms;
suggestions over 5,000 saved replies + 1,000 KB articles p95 <= 100 ms on one CPU core.
Quality: top-3 hit rate on the real twcs conversations (see scripts/suggest_quality.py).

Run: ``.venv/bin/python benchmarks/replies.py``
"""

from __future__ import annotations

import importlib.util
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from henshin.replies.guards import GuardContext, LaterPost, PastReply, ReplyDraft, run_guards
from henshin.replies.limits import measure
from henshin.replies.splitting import split_reply
from henshin.replies.suggest import SuggestionIndex, SuggestionSource

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data" / "twcs-sample" / "twcs_sample.csv"

JA_WORDS = (
    "注文 配送 遅延 返品 交換 返金 ポイント 会員 登録 パスワード 店舗 営業時間 予約 キャンセル "
    "在庫 再入荷 新商品 限定 クーポン 割引 アプリ ログイン エラー 決済 カード 領収書 ギフト 包装 "
    "サイズ 色 素材 保証 修理 故障 初期不良 問い合わせ 電話 メール 住所 変更 届かない 壊れていた"
).split()
EN_WORDS = (
    "order delivery late refund return exchange points member account password store hours "
    "booking cancel stock restock new limited coupon discount app login error payment card "
    "receipt gift wrap size colour material warranty repair broken defect contact phone email"
).split()


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 3),
    }


def _time(call: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def _sentence(rng: random.Random, words: list[str], ja: bool) -> str:
    picked = rng.sample(words, 6)
    return ("、".join(picked) + "について。") if ja else (" ".join(picked) + ".")


def bench_guards() -> dict[str, float]:
    now = datetime(2026, 11, 23, tzinfo=UTC)
    reply = ReplyDraft(
        text="@taro ABC書店の佐藤です。ご注文の商品の配送が遅れており、大変申し訳ございません。"
        "詳しい状況をお調べしますので、お手数ですがDMにてお名前をお知らせください。",
        visibility="public",
        network="x",
        kind="reply",
    )
    context = GuardContext(
        customer_text="注文した本が一週間たっても届きません。注文番号 A12345678 です",
        previous_replies_to_contact=[
            PastReply(f"過去のご案内 {i}: アプリを再起動してお試しください。", now - timedelta(days=i))
            for i in range(20)
        ],
        later_posts_by_author=[LaterPost("まだ届かない…", now)],
        customer_intents=frozenset({"complaint"}),
    )

    def check() -> None:
        run_guards(reply, context)
        if measure(reply.text, network="x", kind="reply").over:
            split_reply(reply.text, network="x", kind="reply")

    check()
    return _percentiles(_time(check, 300))


def bench_suggestions() -> dict[str, float]:
    rng = random.Random(9)
    sources = []
    for i in range(5000):
        ja = i % 2 == 0
        words = JA_WORDS if ja else EN_WORDS
        sources.append(
            SuggestionSource(
                f"r{i}", "saved_reply", _sentence(rng, words, ja),
                " ".join(_sentence(rng, words, ja) for _ in range(3)), language="ja" if ja else "en",
            )
        )
    for i in range(1000):
        ja = i % 2 == 0
        words = JA_WORDS if ja else EN_WORDS
        sources.append(
            SuggestionSource(
                f"a{i}", "article", _sentence(rng, words, ja),
                " ".join(_sentence(rng, words, ja) for _ in range(12)), language="ja" if ja else "en",
            )
        )
    start = time.perf_counter()
    index = SuggestionIndex(sources)
    build_s = time.perf_counter() - start
    queries = [_sentence(rng, JA_WORDS if q % 2 else EN_WORDS, bool(q % 2)) for q in range(200)]
    index.suggest(queries[0])  # first query builds the per-n-gram arrays
    position = iter(range(10_000))
    samples = _time(lambda: index.suggest(queries[next(position) % len(queries)], k=5), 400)
    return {**_percentiles(samples), "index_build_s": round(build_s, 2), "entries": len(index)}


def bench_quality() -> dict[str, object]:
    if not DATA.exists():
        return {"skipped": f"twcs sample not found at {DATA}"}
    spec = importlib.util.spec_from_file_location("suggest_quality", ROOT / "scripts" / "suggest_quality.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return {"per_brand": module.evaluate(DATA), "pooled": module.evaluate(DATA, pooled=True)}


if __name__ == "__main__":
    print(
        json.dumps(
            {
                "guards_and_limits": {**bench_guards(), "target_p95_ms": 20},
                "suggestions_5000_replies_1000_articles": {**bench_suggestions(), "target_p95_ms": 100},
                "suggestion_quality_twcs": bench_quality(),
            },
            indent=2,
        )
    )
