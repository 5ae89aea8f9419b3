from henshin.replies.suggest import SuggestionIndex, SuggestionSource

SOURCES = [
    SuggestionSource("r1", "saved_reply", "配送遅延のお詫び", "ご注文の商品の配送が遅れており申し訳ございません。", language="ja"),
    SuggestionSource("r2", "saved_reply", "Late delivery", "Sorry your parcel is late, we are checking with the courier.", language="en"),
    SuggestionSource("r3", "saved_reply", "営業時間", "営業時間は10時から20時です。", language="ja", network="instagram"),
    SuggestionSource("a1", "article", "返品・交換について", "商品到着後7日以内であれば返品・交換を承ります。", language="ja"),
]


def test_the_most_relevant_source_comes_first_for_japanese_and_english() -> None:
    index = SuggestionIndex(SOURCES)
    assert index.suggest("注文した商品がまだ届かない、配送遅れてますか？")[0].id == "r1"
    assert index.suggest("my parcel is late, where is my delivery?")[0].id == "r2"
    assert index.suggest("返品したいのですが")[0].id == "a1"
    top = index.suggest("営業時間を教えて")[0]
    assert top.id == "r3" and 0 < top.score <= 1


def test_filters_keep_matching_language_network_and_kind() -> None:
    index = SuggestionIndex(SOURCES)
    assert all(s.id != "r2" for s in index.suggest("late delivery 配送", language="ja"))
    assert all(s.id != "r3" for s in index.suggest("営業時間", network="x"))
    assert [s.kind for s in index.suggest("返品 配送", kind="article")] == ["article"]


def test_incremental_add_replace_and_remove() -> None:
    index = SuggestionIndex(SOURCES)
    index.add(SuggestionSource("r4", "saved_reply", "ポイント", "ポイントは購入の翌日に付与されます。", language="ja"))
    assert index.suggest("ポイントはいつ付与？")[0].id == "r4"
    assert index.remove("r4") and not index.remove("r4")
    assert all(s.id != "r4" for s in index.suggest("ポイントはいつ付与？"))
    index.add(SuggestionSource("r1", "saved_reply", "営業時間", "営業時間のご案内", language="ja"))
    assert len(index) == 4 and index.get("r1").title == "営業時間"  # type: ignore[union-attr]


def test_unrelated_text_suggests_nothing() -> None:
    assert SuggestionIndex(SOURCES).suggest("zzzz qqqq") == []
    assert SuggestionIndex().suggest("anything") == []


def test_many_edits_rank_exactly_as_an_index_built_from_scratch() -> None:
    """Entries added after the bulk build, removals, and the automatic rebuild agree with a fresh index."""
    index = SuggestionIndex(SOURCES)
    topics = ["配送", "返品", "ポイント", "営業時間", "delivery", "refund", "coupon", "password"]
    kept = list(SOURCES)
    for i in range(120):  # past the rebuild threshold
        source = SuggestionSource(f"n{i}", "saved_reply", f"{topics[i % 8]} {i}",
                                  f"{topics[i % 8]}と{topics[(i * 3) % 8]}のご案内 {i}", language="ja" if i % 2 else None)
        index.add(source)
        kept.append(source)
        if i % 5 == 0:
            assert index.remove(f"n{i}")
            kept.remove(source)
    assert len(index) == len(kept)
    fresh = SuggestionIndex(kept)
    for query in ["配送が遅い", "返品とポイント", "refund please", "営業時間 coupon"]:
        got = [(s.id, round(s.score, 9)) for s in index.suggest(query, k=8)]
        assert got == [(s.id, round(s.score, 9)) for s in fresh.suggest(query, k=8)]
        assert got and all(not sid.endswith(("n0", "n5", "n10")) for sid, _ in got)
