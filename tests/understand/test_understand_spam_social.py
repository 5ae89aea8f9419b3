"""Spam on social posts: "reply to everything but spam" must not skip the customers.

The spam model learns from SMS, where a link is a spam sign; on social networks a photo
link and an @-mention are how a customer writes to a brand.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import understand_data as data  # noqa: E402

from henshin.understand import analyze, analyze_many  # noqa: E402


@pytest.mark.parametrize("text", [
    "@acme_support my blender arrived cracked, see the photo https://t.co/Ab12Cd34Ef",
    "@AcmeAir flight 208 delayed 3 hours and nobody at the gate knows why https://t.co/x9Y8z7",
    "Thanks @acme_jp for the quick fix! https://t.co/Qw12Er34",
    "@acme_support 注文した商品が届きません https://t.co/Zx98Cv76",
])
def test_a_customer_post_with_a_link_or_mention_is_not_spam(text: str) -> None:
    assert not analyze(text).spam.is_spam


@pytest.mark.parametrize("text", [
    "Congratulations you have won a free iPhone! Claim your prize now https://bit.ly/3xYz",
    "WINNER!! You have won a £1000 cash prize. Call 09061701461 to claim before midnight",
    "副業で月収100万円稼げる方法はプロフのリンクから https://example.jp/x",
])
def test_scams_with_links_stay_spam(text: str) -> None:
    assert analyze(text).spam.is_spam


@pytest.mark.parametrize("source", [data.complaints, data.tweeteval_sentiment],
                         ids=["tweets to brands", "tweeteval"])
def test_few_held_out_tweets_are_marked_spam(source: Callable[[], list[tuple[str, Any]] | None]) -> None:
    rows = source()
    if rows is None:
        pytest.skip(f"{source.__name__} data not found under {data.DATA_DIR}")
    held = [t for t, _ in rows if data.is_held_out(t)]
    flagged = sum(a.spam.is_spam for a in analyze_many(held))
    # Measured 0 of 497 tweets to brands and 0 of 576 TweetEval tweets (the SMS-only model
    # flagged 93 of the first); a few tweets to brands are promotions.
    assert flagged <= 0.02 * len(held)
