"""analyze(): the shipped models load and behave on clear examples in both languages."""

from __future__ import annotations

import json

import pytest

from henshin.understand import INTENTS, analyze, analyze_many


@pytest.mark.parametrize("text", ["営業時間は何時までですか?", "What time do you open tomorrow?"])
def test_a_neutral_question_is_neutral(text: str) -> None:
    analysis = analyze(text)
    assert analysis.sentiment.label == "neutral"
    assert "question" in analysis.intents


@pytest.mark.parametrize("text", ["最高!また買います😊", "I love this, best coffee ever!"])
def test_clear_praise_is_positive(text: str) -> None:
    sentiment = analyze(text).sentiment
    assert sentiment.label == "positive"
    assert 0 < sentiment.score <= 1


@pytest.mark.parametrize("text", ["商品が届かない、最悪。", "Worst service ever, I am so angry"])
def test_clear_complaints_are_negative(text: str) -> None:
    analysis = analyze(text)
    assert analysis.sentiment.label == "negative"
    assert -1 <= analysis.sentiment.score < 0
    assert "complaint" in analysis.intents


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("二重請求されています", "money_lost"),
        ("I was charged twice for one order", "money_lost"),
        ("アプリに繋がらない", "outage"),
        ("アプリが落ちて使えない。最悪", "outage"),
        ("更新したらアプリが起動直後に強制終了します", "outage"),
        ("届いたのが不良品でした", "defect_safety"),
        ("使ったら怪我をしました", "defect_safety"),
        ("この美容液でシミが消えると書いてありました", "legal_risk"),
        ("飲むだけでがんが治るって本当?", "legal_risk"),
    ],
)
def test_l3_urgency_reasons(text: str, reason: str) -> None:
    urgency = analyze(text).urgency
    assert urgency.level == "L3"
    assert reason in urgency.reasons


def test_flame_risk_needs_negative_text_and_reach() -> None:
    text = "対応が最悪でした。二度と使いません"
    assert "flame_risk" not in analyze(text, hints={"followers": 120}).urgency.reasons
    assert "flame_risk" in analyze(text, hints={"followers": 50_000}).urgency.reasons
    assert "flame_risk" in analyze(text, hints={"quotes": 15, "replies": 10}).urgency.reasons
    assert "flame_risk" not in analyze("大好きです!", hints={"followers": 50_000}).urgency.reasons


def test_purchase_intent_raises_priority() -> None:
    urgency = analyze("この新色、どこで買えますか?").urgency
    assert urgency.level == "high"
    assert urgency.reasons == ["purchase_intent"]


@pytest.mark.parametrize(
    ("text", "buying"),
    [("このバッグ欲しい!", True), ("新しい色も出してほしいです!", False), ("早く返金してほしい", False)],
)
def test_wanting_a_thing_is_purchase_intent_but_asking_for_an_action_is_not(text: str, buying: bool) -> None:
    assert ("purchase_intent" in analyze(text).intents) is buying


@pytest.mark.parametrize(
    "text",
    [
        "副業で月収100万円!詳しくはプロフのリンクから https://example.com/a",
        "Congratulations you have won a free gift! Click here to claim your prize http://x.io",
        "DM me to earn money from home with crypto! link in bio",
    ],
)
def test_affiliate_and_scam_text_is_spam(text: str) -> None:
    spam = analyze(text).spam
    assert spam.is_spam
    assert spam.score >= 0.5


@pytest.mark.parametrize("text", ["注文した商品がまだ届きません", "Can I change the size of my order?"])
def test_customer_messages_are_not_spam(text: str) -> None:
    assert not analyze(text).spam.is_spam


def test_gratitude_only_intent() -> None:
    assert "gratitude_only" in analyze("ありがとうございました!").intents
    assert "gratitude_only" not in analyze("ありがとうございます。ただ、まだ届いていません").intents


def test_intents_are_drawn_from_the_fixed_set_and_json_ready() -> None:
    texts = ["新機能を追加してほしいです", "hello", "返金してください 090-1234-5678"]
    for analysis in analyze_many(texts, hints={"order_patterns": [r"X\d+"]}):
        assert analysis.intents and set(analysis.intents) <= set(INTENTS)
        payload = json.loads(json.dumps(analysis.to_dict(), ensure_ascii=False))
        assert set(payload) >= {"language", "sentiment", "spam", "intents", "urgency", "pii"}
    assert "feedback" in analyze(texts[0]).intents
    assert analyze(texts[2]).to_dict()["pii"][0]["kind"] == "phone"


def test_batched_and_single_analysis_agree() -> None:
    texts = ["最高です", "The app keeps crashing", "了解", "ok", "配送 delayed?"]
    assert analyze_many(texts) == [analyze(t) for t in texts]


def test_an_exclamation_lifts_a_plain_japanese_announcement() -> None:
    assert analyze("今週末は京都に行きます").sentiment.label == "neutral"
    assert analyze("今週末は京都に行きます!").sentiment.label == "positive"


@pytest.mark.parametrize("text", ["まだ届かない!", "注文した商品が壊れていました!返金してください!"])
def test_an_exclamation_does_not_soften_a_japanese_complaint(text: str) -> None:
    analysis = analyze(text)
    assert analysis.sentiment.label == "negative"
    assert analysis.sentiment.score == analyze(text.replace("!", "")).sentiment.score
    assert "complaint" in analysis.intents


@pytest.mark.parametrize(("text", "label"), [("今日はへとへと(´;ω;`)", "negative"),
                                             ("今夜は花火(^^)♪", "positive")])
def test_japanese_slang_and_kaomoji_carry_sentiment(text: str, label: str) -> None:
    assert analyze(text).sentiment.label == label


@pytest.mark.parametrize(("text", "label"), [("楽しかったけど最悪", "negative"),
                                             ("最悪だけど楽しかった", "positive")])
def test_the_clause_after_a_japanese_contrast_decides(text: str, label: str) -> None:
    assert analyze(text).sentiment.label == label


@pytest.mark.parametrize(("text", "label"), [("このラーメン半端ない", "positive"),
                                             ("配送は問題ないです", "neutral"),
                                             ("お待たせしてしまい申し訳ない", "negative")])
def test_a_fixed_expression_ending_in_nai_is_not_read_as_a_negation(text: str, label: str) -> None:
    assert analyze(text).sentiment.label == label


def test_a_japanese_question_judges_less_than_the_statement() -> None:
    statement = analyze("この店のパンは美味しいです").sentiment
    question = analyze("この店のパンは美味しいですか?").sentiment
    assert statement.label == "positive"
    assert 0 < question.score < statement.score


def test_emoji_only_text_reads_its_emoji() -> None:
    analysis = analyze("😭😭😭")
    assert analysis.language == "unknown"
    assert analysis.sentiment.label == "negative"


def test_empty_text_is_calm() -> None:
    analysis = analyze("")
    assert analysis.sentiment.label == "neutral"
    assert analysis.intents == ["other"] and analysis.pii == [] and not analysis.spam.is_spam


def test_a_broken_link_is_not_a_safety_matter() -> None:
    assert "defect_safety" not in analyze("that's a broken link you sent me").urgency.reasons
    assert "defect_safety" in analyze("The blender arrived broken and cut my hand").urgency.reasons


@pytest.mark.parametrize(
    "text",
    [
        "激安 ブランド 財布 激安 ブランド 財布 激安 ブランド 財布 激安 ブランド 財布 激安 ブランド 財布",
        "#fashion #sale #bag #cheap #brand #outlet #free #follow best price http://a.example http://b.example",
    ],
)
def test_word_salad_and_hashtag_floods_are_spam(text: str) -> None:
    assert analyze(text).spam.is_spam
