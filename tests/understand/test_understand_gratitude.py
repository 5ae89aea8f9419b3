"""A plain thank-you closes a conversation; thanks plus a new question or problem does not."""

from __future__ import annotations

import pytest

from henshin.understand import is_gratitude_only

CLOSING = [
    "ありがとうございました!",
    "解決しました、ありがとう",
    "thanks, all sorted",
    "thx!!",
    "Thank you so much 🙏",
    "了解です、助かりました",
    "@brand thanks a lot!! 😊",
    "ｱﾘｶﾞﾄｳｺﾞｻﾞｲﾏｼﾀ！",
    "ありがとうございます!今後ともよろしくお願いします。",
    "Thanks for the quick reply, it works now",
]
NOT_CLOSING = [
    "thanks, but it still doesn't work",
    "ありがとうございます。ただ、まだ届いていません",
    "ありがとうございます。もう一つ質問です",
    "thanks! when will it ship?",
    "ありがとう、でも壊れてた",
    "Thanks. Still waiting for my refund",
    "返金してください",
    "hello",
    "",
]


@pytest.mark.parametrize("text", CLOSING)
def test_a_plain_thank_you_is_gratitude_only(text: str) -> None:
    assert is_gratitude_only(text)


@pytest.mark.parametrize("text", NOT_CLOSING)
def test_thanks_with_a_question_or_problem_is_not_gratitude_only(text: str) -> None:
    assert not is_gratitude_only(text)
