"""The event bus: ``publish`` during a transaction, listeners run after it commits.

Each event carries its actor (user, rule, system, connector) so listeners can tell who
caused it — rules ignore events their own actions caused, which keeps them from looping.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

PENDING_KEY = "henshin.pending_events"


class ActorType(StrEnum):
    USER = "user"
    RULE = "rule"
    SYSTEM = "system"
    CONNECTOR = "connector"
    CUSTOMER = "customer"


@dataclass(frozen=True)
class Actor:
    type: ActorType
    id: int | None = None
    name: str | None = None

    @classmethod
    def user(cls, user_id: int, name: str | None = None) -> Actor:
        return cls(ActorType.USER, user_id, name)

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(ActorType.SYSTEM, None, name)

    @classmethod
    def rule(cls, rule_id: int, name: str | None = None) -> Actor:
        return cls(ActorType.RULE, rule_id, name)

    @classmethod
    def customer(cls, contact_id: int | None = None) -> Actor:
        return cls(ActorType.CUSTOMER, contact_id, None)

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type.value, "id": self.id, "name": self.name}


@dataclass(frozen=True)
class Event:
    name: str
    workspace_id: int
    actor: Actor
    ticket_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Event], None]
# Called with the committed events and the engine they were committed on.
BatchListener = Callable[[list[Event], Any], None]
_listeners: dict[str, list[Listener]] = defaultdict(list)
_batch_listeners: list[BatchListener] = []


def subscribe(name: str, listener: Listener) -> None:
    """Call ``listener`` for every committed event called ``name`` (``*`` for all)."""
    if listener not in _listeners[name]:
        _listeners[name].append(listener)


def subscribe_batch(listener: BatchListener) -> None:
    """Call ``listener(events, engine)`` once per commit (after the per-event listeners).

    For listeners that do one piece of work per transaction rather than per event, e.g.
    the reports, which recompute each touched ticket once.
    """
    if listener not in _batch_listeners:
        _batch_listeners.append(listener)


def clear_listeners() -> None:
    _listeners.clear()
    _batch_listeners.clear()


def publish(session: Session, event: Event) -> None:
    """Record an event; it is dispatched only if this session's transaction commits."""
    session.info.setdefault(PENDING_KEY, []).append(event)


def dispatch(events: list[Event], bind: Any = None) -> None:
    for event in events:
        for listener in [*_listeners.get(event.name, ()), *_listeners.get("*", ())]:
            try:
                listener(event)
            except Exception:  # a failing listener must never undo or block the commit
                log.exception("listener %r failed on %s", listener, event.name)
    for batch_listener in _batch_listeners:
        try:
            batch_listener(events, bind)
        except Exception:  # a failing listener must never undo or block the commit
            log.exception("batch listener %r failed", batch_listener)


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: its events wait for the real commit
    events = session.info.pop(PENDING_KEY, None)
    if events:
        dispatch(events, session.get_bind())


@sa_event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: Any) -> None:
    if getattr(previous, "nested", False):
        return  # a SAVEPOINT rolled back: whoever opened it drops what it published
    session.info.pop(PENDING_KEY, None)
