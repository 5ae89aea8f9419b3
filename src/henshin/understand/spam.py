"""Spam and word salad: affiliate posts, copy-paste spam blogs, scam DMs, bot replies.

A linear model trained on the SMS Spam Collection scores English text; phrase rules cover
Japanese and English affiliate / scam patterns (副業で月収, LINE追加, DM me to earn …) and
shape rules cover word salad (hashtag and link floods, one phrase repeated). The score is
the strongest of these, so "reply to everything but spam" can be automated on ``is_spam``.
"""

from __future__ import annotations

import re
import zlib

from henshin.understand.batch import TextBatch
from henshin.understand.linear import load_model
from henshin.understand.phrases import phrase_pattern
from henshin.understand.results import Spam

SPAM_AT = 0.5

_SCAM = phrase_pattern(
    japanese=[
        "副業", "稼げる", "稼げます", "稼ぎ方", "万円稼", "簡単に稼", "在宅で稼", "在宅ワーク", "日給",
        "月収", "月利", "不労所得", "権利収入", "副収入", "儲かる", "儲け話", "必ず儲", "高配当",
        "元本保証", "仮想通貨で", "fxで", "バイナリー", "line追加", "ライン追加", "公式line",
        "プロフのリンク", "プロフィールのurl", "プロフ見て", "プロフから", "詳しくはプロフ",
        "固ツイ見て", "dmください", "dm下さい", "dmで詳細", "相互フォロー", "フォロバ100",
        "当選しました", "当選おめでとう", "現金プレゼント", "お金配り", "無料で差し上げ",
        "出会い", "ワンクリック", "アカウントが停止", "アカウント停止", "本人確認のため",
        "こちらのurlから", "今すぐクリック", "限定公開", "完全無料", "スーパーコピー", "ブランドコピー",
        "n級品", "激安通販", "激安販売", "最安値保証", "無料ダウンロード", "エロ", "アダルト",
    ],
    english=[
        "click here", "click the link", "link in bio", "check my bio", "check my profile",
        "dm me", "earn money", "make money", "earn $", "per day from home", "work from home",
        "passive income", "investment opportunity", "crypto", "bitcoin", "forex", "binary options",
        "giveaway winner", "you have won", "you've won", "congratulations you", "claim your prize",
        "claim now", "free gift", "free followers", "buy followers", "promo code", "whatsapp me",
        "telegram", "verify your account", "account suspended", "limited offer", "act now",
        "100% free", "cash prize", "guaranteed",
    ],
)
_URL = re.compile(r"https?://\S+|www\.\S+")
_HASHTAG = re.compile(r"[#＃]\S+")


def _shape_score(text: str, folded: str) -> float:
    score = 0.0
    urls = len(_URL.findall(folded))
    hashtags = len(_HASHTAG.findall(text))
    if urls >= 2:
        score += 0.25
    if hashtags >= 6:
        score += 0.35
    # One phrase pasted over and over compresses far better than anything people write.
    raw = folded.encode("utf-8")
    if len(raw) >= 120 and len(zlib.compress(raw)) / len(raw) < 0.3:
        score += 0.6
    return score


def _rule_score(text: str, folded: str) -> float:
    hits = len(_SCAM.findall(folded))
    score = min(1.0, 0.45 * hits)
    if hits and _URL.search(folded):
        score += 0.3
    return min(1.0, score + _shape_score(text, folded))


def analyze_spam(batch: TextBatch) -> list[Spam]:
    """Spam verdict for each text (the English model runs batched on Latin-script texts)."""
    rule_scores = [_rule_score(t, f) for t, f in zip(batch.texts, batch.folded, strict=True)]
    model_scores = [0.0] * len(batch.texts)
    latin = batch.latin
    if latin:
        model = load_model("spam")
        spam_column = model.labels.index("yes")
        probabilities = batch.latin_probabilities["spam"]
        for row, index in zip(probabilities, latin, strict=True):
            model_scores[index] = float(row[spam_column])
    results = []
    for rule, learned in zip(rule_scores, model_scores, strict=True):
        score = max(rule, learned)
        results.append(Spam(is_spam=score >= SPAM_AT, score=score))
    return results
