"""Realistic Japanese and English engagements for the demo inbox, reproducible from a seed.

A tea café chain (Instagram, LINE), an online bookshop (X, RSS) and a cosmetics brand
(Facebook): questions, complaints, praise, thank-yous, spam, purchase intent and
order/payment trouble, as comments, replies, DMs, mentions, story mentions, ad comments,
reviews and listening hits. DM conversations get follow-up messages.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from henshin.connectors.types import (
    Author,
    EngagementKind,
    InboundEngagement,
    Metrics,
    PostContext,
)

TEXTS: dict[str, list[str]] = {
    "question": [
        "今日の営業時間は何時までですか？",
        "抹茶ラテの在庫はまだありますか？渋谷店に行く予定です",
        "ポイントカードはアプリに移行できますか？",
        "What time does the Shibuya store open on Sunday?",
        "Do you ship to Canada? Couldn't find it in the FAQ",
        "Is the hojicha set back in stock?",
    ],
    "complaint": [
        "注文した本が一週間たっても届きません。配送遅延ですか？",
        "クレジットカードで二重請求されています！至急確認してください",
        "届いた化粧水のボトルが割れていました。不良品です。",
        "アプリにログインできません。朝からずっと繋がらない",
        "My order is late again, this is the third time. Really disappointed.",
        "I was charged twice for one order and nobody answers my emails",
        "The serum gave me a rash. Is this safe at all?",
    ],
    "praise": [
        "新作の桜ラテ最高でした☕ また行きます！",
        "ここの本屋さんの品揃え、本当に好き。",
        "Love the new cafe in Kyoto, the staff were so kind!",
        "Best lip tint I've ever used 💄",
    ],
    "thanks": [
        "ありがとうございました！解決しました",
        "ご丁寧にありがとうございます。助かりました！",
        "Thanks so much for the quick reply!",
        "thx!! all sorted now",
    ],
    "spam": [
        "副業で月100万円！詳しくはプロフのリンクから",
        "【限定】今だけ無料でiPhone当たる→ bit.ly/xxxx",
        "Follow me for free crypto giveaways bit.ly/xx",
        "Earn $5000 a week from home!!! DM me now",
    ],
    "purchase": [
        "このリップの色違いはどこで買えますか？今日買いたいです",
        "ギフトボックスは明日までに届けてもらえますか？購入したいです",
        "Can I order the gift box online for delivery tomorrow?",
        "Thinking of buying the starter kit — is it good for sensitive skin?",
    ],
    "order": [
        "注文番号 A-10293 の確認メールが届きません。支払いは完了しています。",
        "返金がまだ振り込まれていません。いつになりますか？",
        "Payment failed but money left my account, please help",
        "Where is my refund for order #58812? It's been two weeks",
    ],
    "feedback": [
        "アプリに予約機能があると嬉しいです",
        "It would be great if the menu had allergen info",
    ],
}
PEOPLE = [
    ("sakura_t", "佐藤さくら", "ja"), ("kenji_m", "Kenji M", "ja"), ("emily_r", "Emily R", "en"),
    ("yuki0101", "ゆき", "ja"), ("tom_reads", "Tom", "en"), ("hana_cosme", "はな", "ja"),
    ("mika_cafe", "みか☕", "ja"), ("dan_w", "Dan W", "en"), ("aiko_books", "あいこ", "ja"),
    ("spam_bot_77", "副業の神", "ja"), ("priya_s", "Priya", "en"), ("takeshi_k", "たけし", "ja"),
]
POSTS = {
    "instagram": PostContext(external_id="ig-post-1", text="季節のほうじ茶ラテはじめました🍂", url="https://www.instagram.com/p/demo1/"),
    "x": PostContext(external_id="x-post-1", text="新刊フェア開催中📚 / New books fair this week", url="https://x.com/henshin_books/status/1"),
    "facebook": PostContext(external_id="fb-post-1", text="限定コフレ予約受付中 / Holiday kit pre-orders open", url="https://www.facebook.com/demo/posts/1"),
}
KINDS_BY_NETWORK = {
    "x": [EngagementKind.MENTION, EngagementKind.REPLY, EngagementKind.DM, EngagementKind.LISTENING],
    "instagram": [EngagementKind.COMMENT, EngagementKind.DM, EngagementKind.STORY_MENTION, EngagementKind.MENTION],
    "facebook": [EngagementKind.COMMENT, EngagementKind.AD_COMMENT, EngagementKind.DM, EngagementKind.REVIEW],
    "line": [EngagementKind.DM],
    "rss": [EngagementKind.LISTENING],
}


@dataclass(frozen=True)
class DemoItem:
    network: str
    engagement: InboundEngagement


class DemoStream:
    """An endless, seeded stream of engagements spread over the demo channels."""

    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        self.counter = 0
        self.open_dms: list[tuple[str, str, tuple[str, str, str]]] = []

    def _text(self, lang: str) -> tuple[str, str]:
        topic = self.rng.choices(
            list(TEXTS), weights=[5, 5, 3, 1, 1, 2, 2, 1], k=1
        )[0]
        options = [t for t in TEXTS[topic] if (t.isascii() == (lang == "en"))] or TEXTS[topic]
        return topic, self.rng.choice(options)

    def next(self, at: datetime) -> DemoItem:
        self.counter += 1
        rng = self.rng
        if self.open_dms and rng.random() < 0.25:
            network, thread, person = rng.choice(self.open_dms)
            topic = rng.choice(["thanks", "question", "complaint"])
            text = rng.choice([t for t in TEXTS[topic] if t.isascii() == (person[2] == "en")] or TEXTS[topic])
            return DemoItem(network, self._make(network, EngagementKind.DM, person, text, at, thread=thread))
        network = rng.choices(list(KINDS_BY_NETWORK), weights=[4, 4, 3, 2, 1], k=1)[0]
        kind = rng.choice(KINDS_BY_NETWORK[network])
        person = rng.choice(PEOPLE)
        topic, text = self._text(person[2])
        if person[0] == "spam_bot_77":
            text = rng.choice(TEXTS["spam"])
        thread = None
        if kind is EngagementKind.DM:
            thread = f"{network}-dm-{person[0]}"
            self.open_dms.append((network, thread, person))
        rating = None
        if kind is EngagementKind.REVIEW:
            rating = 2 if topic in {"complaint", "order"} else 5
        return DemoItem(network, self._make(network, kind, person, text, at, thread=thread, rating=rating))

    def _make(
        self,
        network: str,
        kind: EngagementKind,
        person: tuple[str, str, str],
        text: str,
        at: datetime,
        *,
        thread: str | None = None,
        rating: int | None = None,
    ) -> InboundEngagement:
        handle, name, lang = person
        followers = self.rng.choice([12, 85, 340, 1200, 9800, 56000])
        return InboundEngagement(
            external_id=f"demo-{network}-{self.counter}-{int(at.timestamp())}",
            kind=kind,
            thread_id=thread,
            post=POSTS.get(network) if kind in {EngagementKind.COMMENT, EngagementKind.AD_COMMENT, EngagementKind.REPLY} else None,
            author=Author(external_id=f"{network}:{handle}", handle=handle, display_name=name,
                          followers=followers, language=lang),
            text=text,
            language_hint=lang,
            rating=rating,
            metrics=Metrics(likes=self.rng.randint(0, 40), replies=self.rng.randint(0, 5)),
            created_at=at,
            url=f"https://example.com/{network}/{self.counter}",
        )

    def backlog(self, count: int, *, now: datetime, span: timedelta = timedelta(days=3)) -> Iterator[DemoItem]:
        """``count`` engagements spread over the past ``span``, oldest first."""
        for i in range(count):
            yield self.next(now - span + span * (i / max(count, 1)))
