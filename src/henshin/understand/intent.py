"""Intents of a message (multi-label): question, complaint, praise, feedback, purchase intent,
order / payment / delivery matter, gratitude-only, other.

Complaints in English come from a linear model trained on the complaints data set plus
phrase rules; everything else is phrase rules over folded text, in Japanese and English.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from henshin.understand.batch import TextBatch
from henshin.understand.gratitude import is_gratitude_only
from henshin.understand.linear import load_model
from henshin.understand.phrases import phrase_pattern
from henshin.understand.results import Sentiment
from henshin.understand.sentiment import is_question

COMPLAINT_AT = 0.5

_QUESTION_WORDS = phrase_pattern(
    japanese=["教えてください", "教えて下さい", "知りたい", "どうすれば", "どうしたら", "どこで",
              "いつ頃", "いつまで", "何時まで", "何時から", "ありますか", "できますか", "でしょうか",
              "ですか", "ますか", "可能ですか", "どうやって", "方法を"],
    english=["how do", "how can", "how to", "can i", "can you", "could you", "do you", "does it",
             "is there", "are there", "what is", "what time", "when will", "when does", "where can",
             "where is", "why is", "why does", "which", "any idea", "anyone know", "wondering"],
)
# Public: scripts/train_understand_deep.py scores the complaint decision with these rules.
COMPLAINT_PHRASES = phrase_pattern(
    japanese=["届かない", "届いていない", "届いてない", "届きません", "まだ届", "遅すぎ", "遅い",
              "遅れて", "壊れ", "不良品", "初期不良", "破損", "故障", "不具合", "使えない", "動かない",
              "繋がらない", "つながらない", "ログインできない", "エラー", "最悪", "最低", "ひどい", "酷い",
              "二重請求", "返金され", "返金して", "対応が悪", "対応悪", "態度が悪", "改善して",
              "困っています", "困ってます", "困る", "おかしい", "間違って", "違う商品", "足りない",
              "ふざけ", "許せない", "がっかり", "残念", "クレーム", "いい加減", "何度も", "未だに",
              "放置", "連絡がない", "返事がない", "返信がない"],
    english=["not working", "doesn't work", "does not work", "still waiting", "never arrived",
             "hasn't arrived", "not received", "haven't received", "worst", "terrible", "awful",
             "disappointed", "disappointing", "unacceptable", "ridiculous", "broken", "refund",
             "charged twice", "double charged", "no response", "nobody", "still no", "fix this",
             "fix it", "useless", "poor service", "rude", "cancelled", "canceled", "delayed",
             "late again", "waste of", "joke", "fail", "failed", "sucks"],
)
_PRAISE = phrase_pattern(
    japanese=["最高", "大好き", "好き", "美味し", "おいし", "素敵", "素晴らし", "感動", "感謝",
              "ありがと", "可愛", "かわい", "綺麗", "満足", "おすすめ", "神対応", "助かりました",
              "丁寧", "親切", "嬉し", "うれし", "楽しかった", "応援して"],
    english=["love", "loved", "amazing", "awesome", "great", "excellent", "best", "thank", "thanks",
             "thx", "fantastic", "wonderful", "brilliant", "perfect", "well done", "kudos",
             "appreciate", "delicious", "beautiful", "favorite", "favourite", "impressed"],
)
_FEEDBACK = phrase_pattern(
    japanese=["要望", "希望します", "提案", "してほしい", "して欲しい", "してください", "あったら",
              "あると嬉しい", "あればいい", "追加して", "改善", "復活して", "再販して", "検討して",
              "導入して", "対応してほしい", "もっと", "欲しいです", "になれば", "ご検討"],
    english=["feature request", "please add", "would be nice", "would be great", "would love",
             "wish", "suggest", "suggestion", "should add", "should have", "you should",
             "consider adding", "bring back", "feedback", "it'd be nice", "please make", "option to"],
)
_PURCHASE = phrase_pattern(
    japanese=["買いたい", "購入したい", "購入予定", "購入を検討", "買おうと", "買えますか",
              "購入できますか", "どこで買え", "どこで売", "売ってますか", "値段", "価格", "いくら",
              "在庫", "入荷", "予約したい", "予約できますか", "注文したい", "取り扱い", "販売店",
              "再入荷", "試してみたい", "気になって"],
    english=["want to buy", "wanna buy", "going to buy", "gonna buy", "where can i buy",
             "where to buy", "how much", "price", "in stock", "back in stock", "available in",
             "do you ship to", "can i order", "want to order", "planning to buy", "thinking of buying",
             "interested in buying", "pre-order", "preorder", "discount code", "coupon"],
)
_ORDER_PAYMENT = phrase_pattern(
    japanese=["注文", "発送", "配送", "配達", "届", "到着", "返金", "返品", "交換", "請求", "支払",
              "決済", "引き落とし", "領収書", "キャンセル", "予約", "追跡", "送料", "代引", "クレジット",
              "カード", "購入した", "買った", "定期便", "解約"],
    english=["order", "ordered", "delivery", "delivered", "shipping", "shipped", "shipment",
             "package", "parcel", "tracking", "refund", "return", "exchange", "charge", "charged",
             "payment", "paid", "invoice", "receipt", "billing", "bill", "subscription", "cancel",
             "reservation", "booking", "courier"],
)
# 欲しい wants the thing (このバッグ欲しい); after て/で it asks someone to act (出してほしい,
# 返金してほしい): a request, not a sale.
_WANTING = re.compile(r"(?<![てで])(?:欲しい|ほしい)")
_EXCLAIMED_QUESTION = re.compile(r"\?")


def _ngram_complaint_scores(batch: TextBatch) -> list[float]:
    """p(complaint) of the n-gram model for English-model texts; 0 elsewhere (rules judge)."""
    scores = [0.0] * len(batch.texts)
    if batch.latin:
        column = load_model("complaint").labels.index("yes")
        for row, index in zip(batch.latin_probabilities["complaint"], batch.latin, strict=True):
            scores[index] = float(row[column])
    return scores


def analyze_intents(batch: TextBatch, sentiments: Sequence[Sentiment],
                    complaint_scores: Sequence[float] | None = None, *,
                    complaint_judged: Collection[int] = ()) -> list[list[str]]:
    """Intents of each text, in the fixed order of ``results.INTENTS``.

    ``complaint_scores`` (≥ 0.5 is a complaint) replace the n-gram model's when given:
    deep mode passes its blended scores, and in ``complaint_judged`` the texts whose score
    already weighs negativity (a strongly negative sentiment is then no complaint alone).
    """
    texts, folded = batch.texts, batch.folded
    if complaint_scores is None:
        complaint_scores = _ngram_complaint_scores(batch)
    results: list[list[str]] = []
    for index, text in enumerate(texts):
        f = folded[index]
        sentiment = sentiments[index]
        intents: list[str] = []
        if is_gratitude_only(text):
            results.append(["praise", "gratitude_only"])
            continue
        if _EXCLAIMED_QUESTION.search(f) or is_question(f) or _QUESTION_WORDS.search(f):
            intents.append("question")
        complaint_rule = bool(COMPLAINT_PHRASES.search(f))
        if (complaint_scores[index] >= COMPLAINT_AT or complaint_rule
                or (sentiment.label == "negative" and sentiment.score <= -0.6
                    and index not in complaint_judged)):
            intents.append("complaint")
        if _PRAISE.search(f) and sentiment.label != "negative" and "complaint" not in intents:
            intents.append("praise")
        if _FEEDBACK.search(f):
            intents.append("feedback")
        # "返金して欲しい" wants something, but not to buy: a complaint is never a sale.
        if (_PURCHASE.search(f) or _WANTING.search(f)) and "complaint" not in intents:
            intents.append("purchase_intent")
        if _ORDER_PAYMENT.search(f):
            intents.append("order_payment")
        results.append(intents or ["other"])
    return results
