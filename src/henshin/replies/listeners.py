"""Each workspace's suggestion index, kept in memory and following every change.

The index (:class:`henshin.replies.suggest.SuggestionIndex`) holds the workspace's saved
replies and published articles. Changes made in this process arrive as
``saved_reply.changed`` / ``article.changed`` events and update the index in place (only
the changed entry's n-grams are touched). Changes made by another process (a second
server, the CLI) are caught by a cheap freshness stamp — count, last update and highest id
of each table — read before every query; a stale index is rebuilt from the database.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from henshin.db.session import Database
from henshin.events.bus import Event, subscribe_batch
from henshin.events.names import EventName
from henshin.knowledge import repository as kb_repo
from henshin.models import Article, SavedReply
from henshin.replies import repository as repo
from henshin.replies.suggest import SuggestionIndex, SuggestionSource

log = logging.getLogger(__name__)
STAMP_TTL_SECONDS = 2.0


def saved_reply_source(row: SavedReply | Any) -> SuggestionSource:  # an entity or an index row
    """A saved reply as the index sees it (id ``r<id>``)."""
    return SuggestionSource(
        id=f"r{row.id}", kind="saved_reply", title=row.title, body=row.body,
        language=row.language, network=row.network, tags=tuple(row.tags or ()),
    )


def article_source(row: Article | Any) -> SuggestionSource:  # an entity or an index row
    """A published article as the index sees it (id ``a<id>``)."""
    return SuggestionSource(
        id=f"a{row.id}", kind="article", title=row.title, body=row.body,
        language=row.language, network=None, tags=tuple(row.tags or ()),
    )


@dataclass(slots=True)
class _Entry:
    index: SuggestionIndex
    stamp: tuple[Any, ...]
    owners: dict[str, int | None]  # saved reply source id -> owner (None: shared)
    checked_at: float = 0.0  # time.monotonic() of the last stamp check


class SuggestionCatalog:
    """Per-workspace suggestion indexes for one process (thread-safe)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._entries: dict[int, _Entry] = {}
        self._lock = threading.RLock()

    def index_for(self, db: Session, workspace_id: int) -> tuple[SuggestionIndex, dict[str, int | None]]:
        """The workspace's index, rebuilt first when the database changed behind it.

        Changes made in this process reach the index at once (events); the freshness
        stamp, which catches other processes' changes, is read at most every
        ``STAMP_TTL_SECONDS`` per workspace (two aggregate queries saved on most calls).
        """
        entry = self._entries.get(workspace_id)
        if entry is not None and time.monotonic() - entry.checked_at < STAMP_TTL_SECONDS:
            return entry.index, entry.owners
        stamp = _stamp(db, workspace_id)
        with self._lock:
            entry = self._entries.get(workspace_id)
            if entry is None or entry.stamp != stamp:
                entry = self._build(db, workspace_id, stamp)
                self._entries[workspace_id] = entry
            entry.checked_at = time.monotonic()
            return entry.index, entry.owners

    def warm_up(self) -> None:
        """Build the index of every workspace that has saved replies or articles."""
        with self.database.sessions() as db:
            for workspace_id in repo.workspaces_with_saved_replies_or_articles(db):
                self.index_for(db, workspace_id)

    def forget(self, workspace_id: int) -> None:
        """Drop a workspace's index (rebuilt on its next use)."""
        with self._lock:
            self._entries.pop(workspace_id, None)

    def on_saved_reply_changed(self, event: Event) -> None:
        """Apply one saved reply's change to its workspace's index, if that index is loaded."""
        self._apply(event, "saved_reply_id", "r")

    def on_article_changed(self, event: Event) -> None:
        """Apply one article's change (published, edited, unpublished, deleted)."""
        self._apply(event, "article_id", "a")

    def _apply(self, event: Event, key: str, prefix: str) -> None:
        if event.workspace_id not in self._entries:
            return
        row_id = event.payload.get(key)
        if row_id is None:
            return
        with self.database.sessions() as db, self._lock:
            entry = self._entries.get(event.workspace_id)
            if entry is None:
                return
            source_id = f"{prefix}{row_id}"
            entry.index.remove(source_id)
            entry.owners.pop(source_id, None)
            if prefix == "r":
                rows = repo.saved_replies_by_ids(db, event.workspace_id, [int(row_id)])
                if (reply := rows.get(int(row_id))) is not None:
                    entry.index.add(saved_reply_source(reply))
                    entry.owners[source_id] = reply.owner_user_id
            else:
                articles = kb_repo.articles_by_ids(db, event.workspace_id, [int(row_id)])
                if (article := articles.get(int(row_id))) is not None and article.published:
                    entry.index.add(article_source(article))
            entry.stamp = _stamp(db, event.workspace_id)

    def _build(self, db: Session, workspace_id: int, stamp: tuple[Any, ...]) -> _Entry:
        replies = repo.saved_reply_index_rows(db, workspace_id)
        articles = repo.published_article_index_rows(db, workspace_id)
        index = SuggestionIndex([*(saved_reply_source(r) for r in replies),
                                 *(article_source(a) for a in articles)])
        owners = {f"r{r.id}": r.owner_user_id for r in replies}
        return _Entry(index=index, stamp=stamp, owners=owners)


def _stamp(db: Session, workspace_id: int) -> tuple[Any, ...]:
    return (*repo.saved_reply_stamp(db, workspace_id), *kb_repo.published_stamp(db, workspace_id))


_catalogs: weakref.WeakKeyDictionary[Engine, SuggestionCatalog] = weakref.WeakKeyDictionary()
_catalogs_lock = threading.Lock()


def catalog_for(database: Database) -> SuggestionCatalog:
    """The suggestion catalog of one database in this process (made on first use)."""
    with _catalogs_lock:
        catalog = _catalogs.get(database.engine)
        if catalog is None:
            catalog = SuggestionCatalog(database)
            _catalogs[database.engine] = catalog
        return catalog


_HANDLERS = {
    EventName.SAVED_REPLY_CHANGED.value: SuggestionCatalog.on_saved_reply_changed,
    EventName.ARTICLE_CHANGED.value: SuggestionCatalog.on_article_changed,
}


def on_commit(events: list[Event], bind: Any) -> None:
    """Batch listener: apply committed saved reply / article changes to that database's index."""
    relevant = [e for e in events if e.name in _HANDLERS]
    if not relevant or bind is None:
        return
    engine = bind if isinstance(bind, Engine) else bind.engine
    catalog = _catalogs.get(engine)
    if catalog is None:
        return
    for event in relevant:
        _HANDLERS[event.name](catalog, event)


def warm_up_in_background(database: Database) -> threading.Thread:
    """Build every workspace's index in a daemon thread, so no agent waits for it."""

    def run() -> None:
        try:
            catalog_for(database).warm_up()
        except Exception:  # a missing table or a closed database must not stop the server
            log.warning("warming the suggestion indexes failed", exc_info=True)

    thread = threading.Thread(target=run, name="henshin-suggestions-warm-up", daemon=True)
    thread.start()
    return thread


def subscribe_catalog() -> None:
    """Keep every loaded catalog following the changes committed in this process."""
    subscribe_batch(on_commit)
