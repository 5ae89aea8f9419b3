"""X weighted character counting follows twitter-text v3."""

from henshin.connectors.x.text import (
    MAX_WEIGHTED_LENGTH,
    is_valid_length,
    remaining,
    weighted_length,
)


def test_latin_counts_one_per_character() -> None:
    assert weighted_length("hello world") == 11


def test_japanese_counts_double_so_140_fill_a_post() -> None:
    assert weighted_length("営業時間を教えてください") == 24
    assert weighted_length("あ" * 140) == MAX_WEIGHTED_LENGTH
    assert not is_valid_length("あ" * 141)


def test_urls_weigh_23_whatever_their_length() -> None:
    long_url = "https://example.com/" + "a" * 100
    assert weighted_length(long_url) == 23
    assert weighted_length(f"詳細は{long_url}") == 6 + 23
    assert weighted_length("http://t.co/x") == 23


def test_emoji_sequences_count_two_each() -> None:
    assert weighted_length("👍") == 2
    assert weighted_length("👨\u200d👩\u200d👧") == 2  # family ZWJ sequence is one emoji
    assert weighted_length("🇯🇵") == 2
    assert weighted_length("ok👍🏽") == 4


def test_general_punctuation_is_light_but_fullwidth_is_heavy() -> None:
    assert weighted_length("“hi”") == 4
    assert weighted_length("！") == 2


def test_text_is_nfc_normalized_before_counting() -> None:
    assert weighted_length("e\u0301") == 1  # é decomposed


def test_remaining_goes_negative_when_over() -> None:
    assert remaining("a" * 281) == -1
    assert remaining("") == 280
    assert not is_valid_length("")
