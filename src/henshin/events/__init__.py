"""Named domain events, collected during a transaction and dispatched after commit."""

from henshin.events.bus import Actor, ActorType, Event, publish, subscribe

__all__ = ["Actor", "ActorType", "Event", "publish", "subscribe"]
