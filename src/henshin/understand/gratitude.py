"""Gratitude-only detection: a message that only thanks or closes the conversation.

The inbox core asks this before reopening a closed ticket: 「ありがとうございました!」 or
"thx!!" after a resolution must not reopen it, while "thanks, but it still doesn't work"
must. The method is subtractive: remove every thanking / closing phrase and neutral filler;
if a closing marker was present and nothing meaningful is left, the message only closes.
A question mark or any leftover word (still, but, まだ, 質問 …) keeps the ticket open.
"""

from __future__ import annotations

import re

from henshin.understand.normalize import fold

# Phrases that close a conversation on their own. Written in folded form (hiragana, lower).
_CLOSING_JA = (
    "ありがとうございました", "ありがとうございます", "ありがとうござます", "ありがとう",
    "ありがと", "有難うございました", "有難うございます", "有難う", "有り難うございました",
    "有り難うございます", "有り難う", "あざっす", "あざす", "さんきゅー", "さんくす",
    "感謝いたします", "感謝致します", "感謝します", "感謝しています", "感謝です", "感謝",
    "助かりました", "助かります", "助かる", "解決しました", "解決できました", "解決いたしました",
    "解決です", "直りました", "なおりました", "治りました", "届きました", "受け取りました",
    "確認できました", "確認しました", "できました", "出来ました", "使えるようになりました",
    "了解しました", "了解いたしました", "了解です", "了解", "りょうかい", "承知しました",
    "承知いたしました", "承知です", "わかりました", "分かりました", "かしこまりました",
    "お礼申し上げます", "御礼申し上げます", "すっきりしました", "安心しました", "大丈夫です",
    "問題ありません", "おかげさまで", "お陰様で",
)
# Fillers that carry no request: politeness, intensifiers, copulas, laughter.
_FILLER_JA = (
    "本当に", "ほんとうに", "ほんとに", "ほんと", "とても", "大変", "たいへん", "誠に", "まことに",
    "どうも", "早速", "さっそく", "無事に", "無事", "すぐに", "早急に", "迅速な", "迅速に",
    "丁寧な", "丁寧に", "親切な", "ご親切に", "ご丁寧に", "ご対応", "対応", "ご回答", "回答",
    "ご連絡", "連絡", "お返事", "返信", "いただき", "頂き", "くださり", "下さり", "して",
    "今後とも", "これからも", "引き続き", "よろしくお願いいたします", "よろしくお願いします",
    "よろしくお願い致します", "宜しくお願いします", "宜しくお願い致します", "よろしくです",
    "お手数をおかけしました", "お手数おかけしました", "お世話になりました",
    "お世話になっております", "失礼します", "失礼いたします", "です", "ました", "ます",
    "でした", "ね", "よ", "な", "ー", "~", "笑", "w",
)
_CLOSING_EN = (
    "thank you", "thank u", "thankyou", "thanks", "thanx", "thnx", "thx", "thks", "ty", "tysm",
    "tyvm", "cheers", "appreciate it", "appreciated", "appreciate", "much obliged", "ta",
    "all sorted", "sorted", "all good", "resolved", "solved", "fixed", "it works", "works now",
    "working now", "got it", "ok", "okay", "k", "kk", "great", "perfect", "awesome",
    "brilliant", "excellent", "wonderful", "amazing", "received", "arrived", "noted",
    "understood", "no worries", "lovely", "nice", "cool",
)
_FILLER_EN = (
    "so much", "very much", "a lot", "a million", "again", "for your help", "for the help",
    "for helping", "for helping me", "for the quick reply", "for the quick response",
    "for your quick reply", "for your quick response", "for the reply", "for the response",
    "for getting back to me", "for your support", "for the support", "for everything",
    "have a nice day", "have a good day", "have a great day", "you guys", "you", "guys",
    "team", "so", "really", "very", "much", "all", "now", "that", "that's", "thats", "it",
    "its", "it's", "is", "was", "just", "and", "again", "everyone", "folks", "mate",
    "oh", "ah", "wow", "yes", "yeah", "yep", "great help", "help", "super", "the", "a",
    "indeed", "many", "big", "huge", "x", "xx", "xoxo", "lol", "haha",
)

_MENTION_OR_URL = re.compile(r"@\w+|https?://\S+|#\S+")


def _alternation(phrases: tuple[str, ...], *, word_bounded: bool) -> str:
    ordered = sorted({fold(p) for p in phrases}, key=len, reverse=True)
    escaped = [re.escape(p) for p in ordered]
    if word_bounded:
        return r"\b(?:" + "|".join(escaped) + r")\b"
    return "(?:" + "|".join(escaped) + ")"


_CLOSING = re.compile(
    _alternation(_CLOSING_EN, word_bounded=True) + "|" + _alternation(_CLOSING_JA, word_bounded=False)
)
_FILLER = re.compile(
    _alternation(_FILLER_EN, word_bounded=True) + "|" + _alternation(_FILLER_JA, word_bounded=False)
)
# Repeated letters in "thxxx", "thanksss", "okkk" are normalised before matching.
_STRETCHED = re.compile(r"([a-z])\1{2,}")
# What may be left over: spaces, punctuation other than "?", symbols and emoji.
_NOISE = re.compile(r"[\s!.,、。・…:;'\"()\[\]「」『』【】♪☆★♡♥❤\-~_*/\\|<>^=+&%$#@]+")


def _is_emoji_or_symbol(char: str) -> bool:
    code = ord(char)
    return code >= 0x2190 and (
        0x2190 <= code <= 0x2BFF or 0x1F000 <= code <= 0x1FAFF or code in (0xFE0F, 0x200D)
    )


def is_gratitude_only(text: str) -> bool:
    """True when ``text`` only thanks or closes the conversation, with no new question or issue.

    >>> is_gratitude_only("解決しました、ありがとう")
    True
    >>> is_gratitude_only("thanks, but it still doesn't work")
    False
    """
    folded = _MENTION_OR_URL.sub(" ", fold(text))
    folded = _STRETCHED.sub(r"\1", folded)
    if "?" in folded or len(folded) > 280:
        return False
    stripped, closings = _CLOSING.subn(" ", folded)
    if closings == 0:
        return False
    stripped = _FILLER.sub(" ", stripped)
    stripped = _NOISE.sub("", stripped)
    return all(_is_emoji_or_symbol(char) for char in stripped)
