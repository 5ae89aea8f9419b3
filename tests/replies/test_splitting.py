import re

from hypothesis import given, settings
from hypothesis import strategies as st

from henshin.replies.limits import measure
from henshin.replies.splitting import (
    CONTINUED_MARKER_JA,
    needs_confirmation,
    split_reply,
    strip_markers,
)

JA = (
    "お問い合わせありがとうございます。ご注文の商品は本日発送いたしました。到着まで二、三日かかります。"
    "配送状況はこちらからご確認いただけます https://example.com/track/12345 。"
    "ご不明な点があれば、お気軽にDMでお知らせください。"
)


def test_a_reply_that_fits_is_one_composed_post() -> None:
    assert split_reply("Thanks!", network="x", kind="reply", handle="bob", signature="— Ty") == ["@bob Thanks! — Ty"]


def test_japanese_thread_is_marked_continued_and_keeps_urls_whole() -> None:
    parts = split_reply(JA * 2, network="x", kind="reply", handle="taro", prefix="ABC書店の佐藤です。")
    assert len(parts) >= 2
    assert all(not measure(p, network="x", kind="reply").over for p in parts)
    assert all(p.endswith(CONTINUED_MARKER_JA) for p in parts[:-1])
    assert not parts[-1].endswith(CONTINUED_MARKER_JA)
    assert all(p.startswith("@taro ") for p in parts)
    assert parts[0].startswith("@taro ABC書店の佐藤です。") and "佐藤です" not in parts[1]
    assert sum(p.count("https://example.com/track/12345") for p in parts) == 2
    # cuts fall at sentence ends
    assert all(strip_markers(p).endswith("。") for p in parts[:-1])


def test_english_thread_is_numbered_and_signed_at_the_end() -> None:
    text = "Your order shipped today. It should arrive in two or three days. " * 8
    parts = split_reply(text, network="x", kind="reply", handle="bob", signature="— Ty", marker_style="en")
    total = len(parts)
    assert [re.search(r"\((\d+)/(\d+)\)", p).groups() for p in parts] == [  # type: ignore[union-attr]
        (str(i), str(total)) for i in range(1, total + 1)
    ]
    assert parts[-1].endswith("— Ty") and not any(p.endswith("— Ty") for p in parts[:-1])


def test_more_than_three_parts_needs_confirmation() -> None:
    parts = split_reply("あ。" * 600, network="x", kind="reply")
    assert len(parts) > 3 and needs_confirmation(parts)
    assert not needs_confirmation(parts[:3])


def test_unbroken_japanese_is_cut_between_characters() -> None:
    parts = split_reply("あ" * 300, network="x", kind="reply")
    assert "".join(strip_markers(p) for p in parts) == "あ" * 300


WORD = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
    st.text(alphabet="あいうえおかきくけこ日本語返信", min_size=1, max_size=12),
    st.sampled_from(["https://example.com/a/b?c=1", "@someone", "#tag", "。", "、", "!", "?", "👍🏽"]),
)


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(WORD, min_size=1, max_size=150),
    network=st.sampled_from(["x", "bluesky", "mastodon", "instagram"]),
    style=st.sampled_from(["ja", "en"]),
    handle=st.sampled_from([None, "customer_1"]),
    prefix=st.sampled_from([None, "ABC書店の佐藤です。", "Ty from ABC:"]),
)
def test_every_part_fits_and_the_words_survive(
    words: list[str], network: str, style: str, handle: str | None, prefix: str | None
) -> None:
    text = " ".join(words)
    parts = split_reply(text, network=network, kind="reply", handle=handle, prefix=prefix, marker_style=style)  # type: ignore[arg-type]
    assert all(not measure(p, network=network, kind="reply").over for p in parts)
    bodies = [strip_markers(p, marker_style=style) for p in parts]  # type: ignore[arg-type]
    if handle:
        bodies = [b.removeprefix(f"@{handle} ") for b in bodies]
    if prefix and len(parts) > 1:
        bodies[0] = bodies[0].removeprefix(prefix)
    joined = "".join(bodies) if len(parts) > 1 else bodies[0].removeprefix(prefix or "")
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", text)
