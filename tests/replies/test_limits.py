from henshin.replies.limits import CountingUnit, count, grapheme_count, limit_for, measure


def test_x_counts_cjk_double_and_the_handle_and_self_identification() -> None:
    bare = measure("こんにちは", network="x", kind="reply")
    assert bare.used == 10 and bare.limit == 280 and not bare.over
    full = measure("こんにちは", network="x", kind="reply", handle="taro", prefix="A社の林です。", signature="— Ty")
    # "@taro " 6 + "A" 1 + 6 CJK characters 12 + text 10 + " — Ty" 5
    assert full.used == 6 + 1 + 12 + 10 + 5
    assert full.remaining == 280 - full.used


def test_x_reply_of_141_japanese_characters_is_over() -> None:
    assert not measure("あ" * 140, network="x", kind="reply").over
    over = measure("あ" * 141, network="x", kind="reply")
    assert over.over and over.remaining == -2


def test_private_messages_use_the_messaging_limit() -> None:
    assert limit_for("instagram", "comment").limit == 2200
    assert limit_for("instagram", "dm").limit == 1000
    assert limit_for("facebook", "reply").limit == 8000
    assert limit_for("facebook", "private_reply").limit == 2000
    assert limit_for("line", "dm").limit == 5000
    assert limit_for("youtube", "reply").limit == 10000
    assert limit_for("mastodon", "reply").limit == 500


def test_instagram_dms_count_utf8_bytes_so_japanese_fits_a_third() -> None:
    assert not measure("あ" * 333, network="instagram", kind="dm").over
    assert measure("あ" * 334, network="instagram", kind="dm").over
    assert not measure("a" * 1000, network="instagram", kind="dm").over
    assert not measure("あ" * 2200, network="instagram", kind="comment").over  # comments count characters


def test_bluesky_counts_graphemes_and_google_counts_bytes() -> None:
    assert grapheme_count("👨‍👩‍👧🇯🇵a") == 3
    assert measure("👍🏽" * 300, network="bluesky", kind="reply").used == 300
    assert measure("あ" * 1366, network="google_business", kind="reply").over
    assert not measure("あ" * 1365, network="google_business", kind="reply").over


def test_mastodon_counts_urls_as_23_and_remote_mentions_by_local_part() -> None:
    text = "@bob@example.social see https://example.com/" + "x" * 100
    assert count(text, CountingUnit.MASTODON) == len("@bob see ") + 23


def test_line_counts_utf16_units() -> None:
    assert count("😀a", CountingUnit.UTF16_UNITS) == 3
