"""Quality check of saved-reply suggestions on real customer ↔ brand conversations.

Data: ``shared/data/twcs-sample/twcs_sample.csv`` (Customer Support on Twitter, CC BY-NC-SA
4.0): it is read where it lies and never copied into the repository.

How it is measured:

* Pairs: every brand tweet that answers a customer tweet gives (customer message, the
  brand's actual answer, brand, customer id).
* Saved replies: a brand's answers become that brand's saved replies, titled with the
  customer message they answered (as "save this reply" does in the composer). Each brand
  is its own workspace, so the index holds only that brand's replies.
* Held out: for each customer message, the index holds the brand's answers to *other*
  customers only (leave-one-customer-out), so the customer's own thread never leaks in.
* "Fits": a suggested saved reply fits when it is the same brand's and its text gives the
  same guidance as the answer the brand actually sent, i.e. ``text_similarity(suggested,
  actual) >= FIT_THRESHOLD`` over folded character n-grams without handles, URLs and agent
  initials. 0.5 was chosen by reading the ranked pairs: from about 0.5 up they mostly share
  the instruction ("please send us a private message so we can…" ~ "please shoot us a DM so
  we can look into this"); below it they mostly share only greetings and apologies. It is a
  lenient proxy, not a human judgement, and this sample is tiny (90 pairs), so the figure is
  reported with the hit rate a random top-3 pick from the same pool would get.
* Only answerable messages count (at least one saved reply in the pool fits).
* ``pooled=False`` (default, realistic: one workspace = one brand) ranks within the brand's
  own replies; ``pooled=True`` puts every brand's replies in one index (harder).

Run: ``python scripts/suggest_quality.py [path/to/twcs_sample.csv]`` (prints JSON).
"""

from __future__ import annotations

import csv
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from henshin.replies.similarity import text_similarity
from henshin.replies.suggest import SuggestionIndex, SuggestionSource

FIT_THRESHOLD = 0.5
TOP_K = 3
DEFAULT_PATH = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "twcs-sample" / "twcs_sample.csv"


@dataclass(frozen=True, slots=True)
class SupportPair:
    """A customer message and the answer the brand actually sent."""

    pair_id: str
    brand: str
    customer_id: str
    customer_text: str
    answer_text: str


def load_pairs(path: Path) -> list[SupportPair]:
    """Read (customer message → brand answer) pairs from a twcs CSV file."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_id = {row["tweet_id"]: row for row in rows}
    pairs: list[SupportPair] = []
    for row in rows:
        asked = by_id.get(row["in_response_to_tweet_id"] or "")
        if row["inbound"] != "FALSE" or asked is None or asked["inbound"] != "TRUE":
            continue
        pairs.append(
            SupportPair(
                pair_id=row["tweet_id"],
                brand=row["author_id"],
                customer_id=asked["author_id"],
                customer_text=asked["text"],
                answer_text=row["text"],
            )
        )
    return pairs


def evaluate(
    path: Path, *, k: int = TOP_K, fit_threshold: float = FIT_THRESHOLD, pooled: bool = False
) -> dict[str, float]:
    """Measure the top-``k`` hit rate of suggestions on held-out customer messages.

    ``pooled``: one index holds every brand's saved replies (a harder ranking task, where
    a random pick rarely fits); otherwise each brand has its own small index.
    """
    pairs = load_pairs(path)
    answerable = hits = 0
    random_expected = 0.0
    for query in pairs:
        pool = [
            p
            for p in pairs
            if (pooled or p.brand == query.brand) and p.customer_id != query.customer_id
        ]
        fitting = {
            p.pair_id
            for p in pool
            if p.brand == query.brand
            and text_similarity(p.answer_text, query.answer_text) >= fit_threshold
        }
        if not fitting:
            continue
        answerable += 1
        index = SuggestionIndex(
            SuggestionSource(id=p.pair_id, kind="saved_reply", title=p.customer_text, body=p.answer_text)
            for p in pool
        )
        top = index.suggest(query.customer_text, k=k)
        if any(s.id in fitting for s in top):
            hits += 1
        n, f = len(pool), len(fitting)
        random_expected += 1.0 - (math.comb(n - f, k) / math.comb(n, k) if n >= k else 0.0)
    return {
        "pairs": len(pairs),
        "answerable": answerable,
        f"top{k}_hit_rate": hits / answerable if answerable else 0.0,
        f"random_top{k}_hit_rate": random_expected / answerable if answerable else 0.0,
        "fit_threshold": fit_threshold,
    }


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH
    print(json.dumps(evaluate(target), indent=2))
