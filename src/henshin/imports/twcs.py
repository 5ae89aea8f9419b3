"""Replay Kaggle's "Customer Support on Twitter" (twcs.csv) as tickets and replies.

Customer tweets go through the ingest service (threaded, understood, deduplicated like
any engagement); brand tweets become sent outbound replies by one agent per brand, with
the reply history at the tweet's original time. One X channel per brand. Replaying the
same file twice adds nothing.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from henshin.channels.actions import do_create_channel
from henshin.connectors.types import Author, EngagementKind, InboundEngagement
from henshin.db.session import Database
from henshin.events.bus import Actor
from henshin.imports import repository as repo
from henshin.ingest.analysis import Understood, understand_batch
from henshin.ingest.service import Analyzer, ingest_batch
from henshin.kit.errors import InvalidInput
from henshin.models import Ticket, User, Workspace
from henshin.models.outbound import DeliveryState
from henshin.models.workspace import Role
from henshin.tickets.actions import do_reply
from henshin.workspaces import repository as ws_repo
from henshin.workspaces.actions import do_add_member, do_create_user, do_create_workspace

COLUMNS = {"tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
           "in_response_to_tweet_id"}
TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"
MENTION = re.compile(r"@(\w+)")
COMMIT_EVERY = 200


@dataclass(frozen=True)
class Tweet:
    tweet_id: str
    author_id: str
    inbound: bool
    created_at: datetime
    text: str
    in_response_to: str | None


@dataclass
class ImportSummary:
    tweets: int = 0
    customer_tweets: int = 0
    replies: int = 0
    skipped_replies: int = 0  # brand tweets answering nothing in the file
    duplicates: int = 0
    brands: list[str] = field(default_factory=list)


def read_tweets(path: Path) -> list[Tweet]:
    """Parse the file, in the order the tweets were written; raise InvalidInput on bad rows."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise InvalidInput(f"{path} is not a twcs file: missing columns {sorted(missing)}")
        tweets = []
        for line, row in enumerate(reader, start=2):
            try:
                created = datetime.strptime(row["created_at"], TIME_FORMAT)  # noqa: DTZ007 (the format has %z)
            except ValueError:
                raise InvalidInput(f"{path}:{line}: created_at {row['created_at']!r} is not like "
                                   "'Tue Oct 31 22:10:47 +0000 2017'") from None
            tweets.append(Tweet(
                tweet_id=row["tweet_id"].strip(), author_id=row["author_id"].strip(),
                inbound=row["inbound"].strip().upper() == "TRUE", created_at=created,
                text=row["text"], in_response_to=(row["in_response_to_tweet_id"] or "").strip() or None,
            ))
    tweets.sort(key=lambda t: (t.created_at, int(t.tweet_id) if t.tweet_id.isdigit() else 0))
    return tweets


def brand_of_conversations(tweets: list[Tweet]) -> dict[str, str]:
    """Each tweet's brand: the first brand that speaks in its conversation, else the first
    brand (or handle) the customer addressed, else ``unknown``."""
    parent: dict[str, str] = {t.tweet_id: t.tweet_id for t in tweets}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t in tweets:
        if t.in_response_to is not None and t.in_response_to in parent:
            parent[root(t.tweet_id)] = root(t.in_response_to)
    brands = {t.author_id for t in tweets if not t.inbound}
    speaker: dict[str, str] = {}
    for t in tweets:
        if not t.inbound:
            speaker.setdefault(root(t.tweet_id), t.author_id)
    out = {}
    for t in tweets:
        brand = speaker.get(root(t.tweet_id))
        if brand is None:
            mentioned = MENTION.findall(t.text)
            brand = next((m for m in mentioned if m in brands), mentioned[0] if mentioned else "unknown")
        out[t.tweet_id] = brand
    return out


def _setup(db: Session, slug: str) -> Workspace:
    workspace = ws_repo.workspace_by_slug(db, slug)
    if workspace is None:
        workspace = do_create_workspace(db, slug=slug, name=f"twcs replay ({slug})", timezone="UTC", locale="en")
    return workspace


def _agent(db: Session, workspace: Workspace, brand: str) -> User:
    email = f"{brand.lower()}@{workspace.slug}.twcs.invalid"
    user = ws_repo.user_by_email(db, email) or do_create_user(db, email=email, name=brand, password=None)
    do_add_member(db, workspace=workspace, user=user, role=Role.AGENT)
    return user


def _chunks(items: list[Tweet], size: int) -> Iterator[list[Tweet]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_twcs(database: Database, path: Path, *, workspace_slug: str = "twcs",
                progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Replay the file into the workspace (created when missing); commits every 200 tweets."""
    tweets = read_tweets(path)
    brand_of = brand_of_conversations(tweets)
    summary = ImportSummary(tweets=len(tweets))
    with database.unit_of_work() as db:
        workspace = _setup(db, workspace_slug)
        channels = repo.channels_by_name(db, workspace.id, "x")
        agents: dict[str, int] = {}
        for brand in sorted(set(brand_of.values())):
            if brand not in channels:
                channels[brand] = do_create_channel(db, workspace_id=workspace.id, network="x",
                                                    name=brand, handle=brand)
            agents[brand] = _agent(db, workspace, brand).id
        summary.brands = sorted(channels)
        workspace_id = workspace.id
        channel_ids = {b: c.id for b, c in channels.items()}
    for chunk in _chunks(tweets, COMMIT_EVERY):
        # Tweets are replayed one by one (each may answer the one before) but understood
        # in one batch per chunk: the analysis is the slow part.
        customers = [_engagement(t) for t in chunk if t.inbound]
        understood = dict(zip([i.external_id for i in customers], understand_batch(customers), strict=True))

        def analyzer(items: list[InboundEngagement],
                     known: dict[str, Understood] = understood) -> list[Understood]:
            return [known[i.external_id] for i in items]

        with database.unit_of_work() as db:
            for tweet in chunk:
                brand = brand_of[tweet.tweet_id]
                if tweet.inbound:
                    _customer_tweet(db, workspace_id, channel_ids[brand], tweet, summary, analyzer)
                else:
                    _brand_reply(db, channel_ids[brand], agents[brand], tweet, summary)
        if progress is not None:
            progress(len(chunk))
    return summary


def _engagement(tweet: Tweet) -> InboundEngagement:
    return InboundEngagement(
        external_id=tweet.tweet_id, kind=EngagementKind.MENTION,
        author=Author(external_id=tweet.author_id, handle=tweet.author_id),
        text=tweet.text, created_at=tweet.created_at, parent_external_id=tweet.in_response_to,
        url=f"https://twitter.com/{tweet.author_id}/status/{tweet.tweet_id}",
        raw={"source": "twcs", "tweet_id": tweet.tweet_id},
    )


def _customer_tweet(db: Session, workspace_id: int, channel_id: int, tweet: Tweet,
                    summary: ImportSummary, analyzer: Analyzer) -> None:
    outcome = ingest_batch(db, workspace_id=workspace_id, channel_id=channel_id,
                           items=[_engagement(tweet)], analyzer=analyzer)[0]
    db.flush()
    summary.customer_tweets += 1
    if outcome.result == "duplicate":
        summary.duplicates += 1


def _brand_reply(db: Session, channel_id: int, agent_id: int, tweet: Tweet,
                 summary: ImportSummary) -> None:
    from henshin.ingest import repository as ingest_repo

    if repo.outbound_by_external_ids(db, channel_id, [tweet.tweet_id]):
        summary.duplicates += 1
        return
    parents = ingest_repo.tickets_of_parents(db, channel_id, [tweet.in_response_to] if tweet.in_response_to else [])
    ticket: Ticket | None = parents.get(tweet.in_response_to or "")
    if ticket is None:
        summary.skipped_replies += 1
        return
    message = do_reply(db, ticket, actor=Actor.user(agent_id, tweet.author_id), text=tweet.text or "(empty)",
                       idempotency_key=f"twcs-{channel_id}-{tweet.tweet_id}",
                       target_external_id=tweet.in_response_to, at=tweet.created_at)
    message.state = DeliveryState.SENT.value
    message.external_id = tweet.tweet_id
    message.sent_at = message.created_at
    message.attempts = 1
    db.flush()
    summary.replies += 1
