"""A deterministic stream of realistic Japanese and English engagements for the sandbox
world: questions, complaints, praise, thank-yous, spam, purchase intent, payment trouble."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from henshin.sandbox.state import SandboxState

SANDBOX_ALERTS_USER = "06129018290001234567"  # the 20-digit Google account number in alert feed URLs

LINES: dict[str, list[str]] = {
    "question": ["今日の営業時間は何時までですか？", "抹茶ラテの在庫はまだありますか？",
                 "What time does the Shibuya store open on Sunday?", "Is the hojicha set back in stock?"],
    "complaint": ["注文した本が一週間たっても届きません。配送遅延ですか？", "クレジットカードで二重請求されています！",
                  "届いた化粧水のボトルが割れていました。不良品です。", "My order is late again, this is the third time."],
    "praise": ["新作の桜ラテ最高でした☕", "Love the new cafe in Kyoto, the staff were so kind!",
               "ここの本屋さんの品揃え、本当に好き。"],
    "thanks": ["ありがとうございました！解決しました", "Thanks so much for the quick reply!"],
    "spam": ["副業で月100万円！詳しくはプロフのリンクから", "Follow me for free crypto giveaways bit.ly/xx"],
    "purchase": ["このリップの色違いはどこで買えますか？今日買いたいです", "Can I order the gift box online for delivery tomorrow?"],
    "order": ["注文番号の確認メールが届きません。支払いは完了しています。", "Payment failed but money left my account, please help"],
}
NAMES = [("sakura_t", "佐藤さくら"), ("kenji_m", "Kenji M"), ("emily_r", "Emily R"), ("yuki0101", "ゆき"),
         ("tom_reads", "Tom"), ("hana_cosme", "はな"), ("spam_bot_77", "副業の神")]


def _pick(rng: random.Random) -> tuple[str, str]:
    topic = rng.choice(list(LINES))
    return topic, rng.choice(LINES[topic])


def seed_world(state: SandboxState, *, seed: int = 7, count: int = 40,
               now: datetime | None = None) -> SandboxState:
    """Fill every fake network with ``count`` engagements each, reproducibly from ``seed``."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    for i, (handle, name) in enumerate(NAMES):
        uid = str(2000000000 + i)
        state.x_users[uid] = {"id": uid, "username": handle, "name": name,
                              "public_metrics": {"followers_count": rng.randint(3, 50000)}}
        state.line_profiles[f"U{i:032x}"] = {"userId": f"U{i:032x}", "displayName": name, "language": "ja"}
    users = list(state.x_users)
    own_post = {"id": state.next_id(), "text": "新刊フェア開催中📚 / New books fair this week",
                "author_id": state.x_user_id, "created_at": _iso(now - timedelta(days=1))}
    state.x_users[state.x_user_id] = {"id": state.x_user_id, "username": state.x_username, "name": "henshin books"}
    state.tweets.append(own_post)
    media = {"id": "17900000000000001", "caption": "季節のほうじ茶ラテはじめました", "permalink": "https://www.instagram.com/p/sandbox/",
             "timestamp": _iso(now - timedelta(days=1))}
    state.ig_media.append(media)
    post: dict[str, Any] = {"id": f"{state.fb_page_id}_1", "message": "Spring menu is here", "created_time": _iso(now - timedelta(days=1)),
            "permalink_url": "https://www.facebook.com/sandbox/posts/1", "is_published": True}
    ad: dict[str, Any] = {"id": f"{state.fb_page_id}_2", "message": "限定コフレ予約受付中", "created_time": _iso(now - timedelta(days=1)),
          "is_published": False, "promotion_status": "active"}
    state.fb_posts += [post, ad]
    for n in range(count):
        at = now - timedelta(minutes=count - n)
        _topic, text = _pick(rng)
        uid = rng.choice(users)
        reply = rng.random() < 0.5
        tweet: dict[str, Any] = {"id": state.next_id(), "author_id": uid, "created_at": _iso(at), "lang": "ja" if text.isascii() is False else "en",
                 "text": text if reply else f"@{state.x_username} {text}", "conversation_id": own_post["id"]}
        if reply:
            tweet.update(in_reply_to_user_id=state.x_user_id, referenced_tweets=[{"type": "replied_to", "id": own_post["id"]}])
        state.tweets.append(tweet)
        state.dm_events.append({"id": state.next_id(), "event_type": "MessageCreate", "text": _pick(rng)[1],
                                "sender_id": uid, "created_at": _iso(at),
                                "dm_conversation_id": "-".join(sorted((uid, state.x_user_id), key=int))})
        handle, _ = rng.choice(NAMES)
        state.ig_comments.setdefault(media["id"], []).append(
            {"id": str(18000000000000000 + n), "text": _pick(rng)[1], "username": handle,
             "from": {"id": str(3000 + n % 7), "username": handle}, "timestamp": _iso(at)})
        target = ad if n % 4 == 0 else post
        state.fb_comments.setdefault(target["id"], []).append(
            {"id": f"{target['id']}_{n}", "message": _pick(rng)[1], "created_time": _iso(at),
             "from": {"id": str(4000 + n % 7), "name": rng.choice(NAMES)[1]}})
        if n % 10 == 0:
            positive = rng.random() < 0.6
            state.fb_ratings.append({"created_time": _iso(at), "recommendation_type": "positive" if positive else "negative",
                                     "review_text": rng.choice(LINES["praise" if positive else "complaint"]),
                                     "reviewer": {"id": str(5000 + n), "name": rng.choice(NAMES)[1]},
                                     "open_graph_story": {"id": str(6000 + n)}})
    set_feed(state, "alerts", [(f"https://blog.example.jp/{i}", rng.choice(LINES["praise"] + LINES["complaint"]))
                               for i in range(5)], now=now)
    return state


def set_feed(state: SandboxState, name: str, entries: list[tuple[str, str]], *, now: datetime | None = None) -> None:
    """Publish (link, title) entries as a Google Alerts feed.

    Google Alerts serves Atom, not RSS: a ``tag:google.com,2005:…/com.google/alerts/…`` feed
    id, ``<title type="html">`` with the matched words in ``<b>``, each ``<link href>``
    wrapped in ``https://www.google.com/url?rct=j&sa=t&url=…&ct=ga``, ``published`` /
    ``updated`` times and an empty ``<author><name/>``. Entry ids stay the same for the same
    link, so a feed re-listing an entry republishes it under its old id.
    """
    now = now or datetime.now(UTC)
    stamp = _rfc3339(now)
    alert_id = int(hashlib.sha256(name.encode()).hexdigest()[:16], 16)
    feed_url = f"https://www.google.com/alerts/feeds/{SANDBOX_ALERTS_USER}/{alert_id}"
    items = "".join(
        f"<entry><id>tag:google.com,2013:googlealerts/feed:{int(hashlib.sha256(link.encode()).hexdigest()[:18], 16)}"
        f'</id><title type="html">{escape(_highlight(title, name))}</title>'
        f'<link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url={escape(quote(link, safe=":/"))}'
        f'&amp;ct=ga&amp;cd=CAIyGjA&amp;usg=AOvVaw0sandbox"/>'
        f"<published>{stamp}</published><updated>{stamp}</updated>"
        f'<content type="html">{escape(title)}</content><author><name/></author></entry>'
        for link, title in entries)
    body = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:idx="urn:atom-extension:indexing">'
            f"<id>tag:google.com,2005:reader/user/{SANDBOX_ALERTS_USER}/state/com.google/alerts/{alert_id}</id>"
            f"<title>Google Alert - {escape(name)}</title>"
            f'<link href="{feed_url}" rel="self"/><updated>{stamp}</updated>{items}</feed>').encode()
    state.feeds[name] = {"body": body, "etag": f'"{hashlib.sha256(body).hexdigest()[:32]}"',
                         "last_modified": format_datetime(now, usegmt=True)}


def _highlight(title: str, term: str) -> str:
    """Google Alerts bolds the alert's words in the title (HTML inside the Atom title)."""
    return title.replace(term, f"<b>{term}</b>") if term else title


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
