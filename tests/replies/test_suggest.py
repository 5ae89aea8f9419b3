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
