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


def test_japanese_right_after_a_link_is_not_part_of_it() -> None:
    # twitter-text's URL path takes ASCII only: the kana after "/faq" weigh 2 each.
    assert weighted_length("詳細はhttps://example.com/faqをご覧ください") == 6 + 23 + 14
    assert weighted_length("注文はshop.example.jpから") == 6 + 23 + 4


def test_only_real_hosts_count_as_links() -> None:
    label = "a" * 64  # a DNS label holds at most 63 characters
    assert weighted_length(f"{label}.com") == 68
    assert weighted_length(f"{'a' * 63}.com") == 23
    assert weighted_length("see example.invalidtld now") == len("see example.invalidtld now")
    assert weighted_length("mail support@example.com") == len("mail support@example.com")


def test_an_idn_host_too_long_in_punycode_is_plain_text() -> None:
    label = "東京渋谷新宿池袋上野品川目黒世田谷練馬板橋足立葛飾江戸川杉並中野豊島北荒川台東墨田江東大田港千代田文京"
    assert len(label) == 51  # encodes past the 63 characters a punycode label may have
    assert weighted_length(f"http://{label}.com") == len("http://") + 51 * 2 + len(".com")
    assert weighted_length("http://例え.jp/a") == 23
