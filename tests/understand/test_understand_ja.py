"""Japanese sentiment: misfires of the lexicon route that were fixed stay fixed (through analyze)."""

from __future__ import annotations

import pytest

from henshin.understand import analyze


@pytest.mark.parametrize("text", ["態度が悪い", "上手くいかない…", "うまくいかない、もう疲れた"])
def test_bad_and_failed_attempts_read_negative(text: str) -> None:
    sentiment = analyze(text).sentiment
    assert sentiment.label == "negative"
    assert sentiment.score < 0


@pytest.mark.parametrize("text", ["悪くない", "かっぱとして生きるのも悪くないな", "思ったより悪くなかった"])
def test_not_bad_is_not_negative(text: str) -> None:
    sentiment = analyze(text).sentiment
    assert sentiment.label != "negative"
    assert sentiment.score >= 0

