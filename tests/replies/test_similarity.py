import pytest

from henshin.replies.similarity import (
    NEAR_DUPLICATE_THRESHOLD,
    comparable_text,
    is_near_duplicate,
    text_similarity,
)

SAME_GUIDANCE = [
    # real answers of one brand (twcs sample) asking for a DM in other words
    ("@115712 Can you please send us a private message, so that I can gain further details about your account?",
     "@115715 Please send me a private message so that I can send you the link to access your account. -FR"),
    ("@115732 That's incredibly concerning. Please tell us more here: https://t.co/Ax7W1Dx3Y9 -Becky",
     "@115739 That's incredibly concerning. Please provide more details so we can investigate: https://t.co/Ax7W1Dx3Y9 -Becky"),
    ("ご不便をおかけして申し訳ございません。お手数ですがDMにてご注文番号をお知らせください。",
     "ご迷惑をおかけし申し訳ありません。恐れ入りますが、DMでご注文番号をお送りください。"),
    ("Please restart your router and let us know if the lights change.",
     "Could you restart the router and tell us whether the lights change?"),
]
DIFFERENT_GUIDANCE = [
    ("@115721 Please follow and DM us so that we can look into this order.  ^HSB",
     "@115723 What did we do to make you feel this way and how can we fix things between us? ^KMG"),
    ("ご不便をおかけして申し訳ございません。お手数ですがDMにてご注文番号をお知らせください。",
     "ご不便をおかけして申し訳ございません。店舗の営業時間は10時から20時です。"),
    ("Please restart your router and let us know if the lights change.",
     "Our store hours are 9am to 9pm, let us know if you have questions."),
]


@pytest.mark.parametrize(("left", "right"), SAME_GUIDANCE)
def test_same_guidance_in_other_words_is_a_near_duplicate(left: str, right: str) -> None:
    assert text_similarity(left, right) >= NEAR_DUPLICATE_THRESHOLD


@pytest.mark.parametrize(("left", "right"), DIFFERENT_GUIDANCE)
def test_different_guidance_with_shared_courtesy_is_not(left: str, right: str) -> None:
    assert not is_near_duplicate(left, right)


def test_handles_urls_sign_offs_and_width_do_not_matter() -> None:
    assert comparable_text("@abc ＤＭでお知らせください https://x.co/1 -Becky") == "dmでお知らせください"
    assert text_similarity("ＤＭください", "dmください") == pytest.approx(1.0)
