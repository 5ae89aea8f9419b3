"""Urgency: L3 for money lost, outage, defect / safety, legal or regulatory risk and flame
risk (negative + reach); "high" for a customer about to buy; "normal" otherwise. Every
level comes with its reasons so the inbox can show why a ticket jumped the queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from henshin.understand.normalize import fold
from henshin.understand.phrases import phrase_pattern
from henshin.understand.results import Sentiment, Urgency

_L3_PATTERNS = {
    "money_lost": phrase_pattern(
        japanese=["二重請求", "二重に請求", "二重引き落とし", "二重決済", "二回請求", "2回請求",
                  "二重課金", "重複請求", "返金されない", "返金されていない", "返金がまだ", "返金がない",
                  "返金されてない", "不正請求", "身に覚えのない請求", "過剰請求", "請求が多い",
                  "お金だけ取られ", "お金が戻"],
        english=["double charge", "double charged", "double-charged", "charged twice", "billed twice",
                 "charged me twice", "duplicate charge", "overcharged", "unauthorized charge",
                 "refund not received", "haven't received my refund", "have not received my refund",
                 "still no refund", "never got my refund", "where is my refund", "where's my refund",
                 "stole my money", "took my money", "money back"],
    ),
    "outage": phrase_pattern(
        japanese=["繋がらない", "つながらない", "繋がりません", "つながりません", "ログインできない",
                  "ログインできません", "アクセスできない", "アクセスできません", "落ちてる", "落ちています",
                  "サーバーダウン", "システム障害", "通信障害", "障害", "起動しない", "起動しません",
                  "開かない", "使えなくなった", "全く使えない", "エラーが出て", "決済できない",
                  # An app or site that 落ちる has crashed (試験に落ちる does not match these).
                  "アプリが落ち", "サイトが落ち", "サーバーが落ち", "落ちて使えない", "落ちて開けない",
                  "強制終了", "クラッシュ", "フリーズして", "フリーズする", "画面が固ま", "読み込めない", "読み込まない"],
        english=["outage", "is down", "are down", "went down", "site down", "server down", "service down",
                 "not loading", "won't load", "can't log in", "cannot log in", "can't login",
                 "cannot login", "unable to log in", "keeps crashing", "crashes", "crashed",
                 "not working at all", "no service", "no signal", "no internet", "error 500"],
    ),
    "defect_safety": phrase_pattern(
        japanese=["不良品", "初期不良", "壊れて", "壊れた", "破損", "故障", "異物", "混入", "怪我",
                  "けがを", "けがした", "火傷", "やけど", "発火", "発煙", "爆発", "感電", "食中毒",
                  "お腹を壊", "腹痛", "体調不良", "アレルギー", "かぶれ", "肌荒れ", "湿疹", "出血",
                  "カビ", "腐って", "虫が入", "割れて", "危険"],
        english=["defective", "arrived broken", "came broken", "received it broken", "delivered broken",
                 "broken on arrival", "already broken", "broke after", "is broken", "was broken", "damaged", "faulty", "injured", "injury", "hurt my",
                 "cut my", "burned", "burnt", "caught fire", "on fire", "smoke", "exploded", "explode",
                 "electric shock", "food poisoning", "allergic reaction", "rash", "mold", "mould",
                 "rotten", "glass in", "hair in my", "bug in my", "dangerous", "unsafe", "recall"],
    ),
    "legal_risk": phrase_pattern(
        japanese=["シミが消える", "しみが消える", "シワが消える", "がんが治る", "癌が治る", "ガンが治る",
                  "病気が治る", "病気が治", "完治", "必ず痩せる", "絶対痩せる", "確実に痩せ",
                  "飲むだけで痩せ", "塗るだけで", "副作用なし", "副作用がない", "医者いらず", "若返る",
                  "アトピーが治", "薄毛が治", "育毛効果", "効果効能", "誇大広告", "誇大表示", "虚偽表示",
                  "景品表示法", "景表法", "薬機法", "薬事法", "優良誤認", "ステマ", "訴える", "訴訟",
                  "弁護士", "消費者センター", "消費生活センター", "消費者庁", "警察に", "通報します",
                  "告訴", "法的措置", "詐欺だ"],
        english=["cures cancer", "cure cancer", "cures", "guaranteed weight loss", "lose weight fast",
                 "no side effects", "fda approved", "false advertising", "misleading ad",
                 "misleading advertising", "lawsuit", "sue you", "suing", "lawyer", "attorney",
                 "legal action", "consumer protection", "trading standards", "ftc", "report you to",
                 "class action", "scam"],
    ),
}
_FLAME_WORDS = phrase_pattern(
    japanese=["炎上", "拡散", "拡散希望", "晒す", "晒し", "不買", "二度と買わない", "みんなに知らせ"],
    english=["boycott", "going viral", "everyone should know", "spread the word", "never buying again",
             "rt if", "retweet if", "exposing"],
)
# Reach above which a negative post may go viral (炎上).
FLAME_FOLLOWERS = 10_000
FLAME_ENGAGEMENT = 20


def _reach(hints: Mapping[str, Any]) -> tuple[int, int]:
    def number(key: str) -> int:
        value = hints.get(key) or 0
        return int(value) if isinstance(value, int | float) else 0

    return number("followers"), number("replies") + number("quotes") + number("reposts")


def analyze_urgency(text: str, sentiment: Sentiment, intents: list[str],
                    hints: Mapping[str, Any] | None = None) -> Urgency:
    """Urgency level and reasons for one message."""
    folded = fold(text)
    reasons = [reason for reason, pattern in _L3_PATTERNS.items() if pattern.search(folded)]
    followers, engagement = _reach(hints or {})
    negative = sentiment.label == "negative" or "complaint" in intents
    if negative and (followers >= FLAME_FOLLOWERS or engagement >= FLAME_ENGAGEMENT
                     or _FLAME_WORDS.search(folded)):
        reasons.append("flame_risk")
    if reasons:
        return Urgency(level="L3", reasons=reasons)
    if "purchase_intent" in intents:
        return Urgency(level="high", reasons=["purchase_intent"])
    return Urgency(level="normal", reasons=[])
