"""Who is viewing and who is typing on each ticket, kept fresh by heartbeats with expiry."""

from __future__ import annotations

from dataclasses import dataclass, field

VIEWING_TTL = 25.0  # a tab sends a heartbeat every 10 s while the ticket is open
TYPING_TTL = 6.0  # typing heartbeats come every ~2 s while keys are pressed


@dataclass
class Presence:
    user_id: int
    name: str
    seen_at: float
    typing_until: float = 0.0


@dataclass
class PresenceBoard:
    """Presence per (workspace, ticket); times are wall-clock seconds shared by processes."""

    tickets: dict[tuple[int, int], dict[int, Presence]] = field(default_factory=dict)

    def apply(self, workspace_id: int, ticket_id: int, user_id: int, name: str, state: str, at: float) -> None:
        """Record a heartbeat: ``viewing``, ``typing``, ``idle`` (stopped typing) or ``left``."""
        key = (workspace_id, ticket_id)
        people = self.tickets.setdefault(key, {})
        if state == "left":
            people.pop(user_id, None)
            if not people:
                self.tickets.pop(key, None)
            return
        entry = people.get(user_id)
        if entry is None:
            entry = people[user_id] = Presence(user_id, name, at)
        entry.seen_at = max(entry.seen_at, at)
        entry.name = name
        if state == "typing":
            entry.typing_until = at + TYPING_TTL
        elif state == "idle":
            entry.typing_until = 0.0

    def snapshot(self, workspace_id: int, ticket_id: int, now: float) -> list[dict[str, object]]:
        """Who is on the ticket now, each with whether they are typing."""
        people = self.tickets.get((workspace_id, ticket_id), {})
        return [
            {"user_id": p.user_id, "name": p.name, "typing": p.typing_until > now}
            for p in sorted(people.values(), key=lambda p: p.name)
            if now - p.seen_at <= VIEWING_TTL
        ]

    def tickets_of(self, workspace_id: int) -> list[int]:
        return [ticket for (ws, ticket) in self.tickets if ws == workspace_id]

    def sweep(self, now: float) -> list[tuple[int, int]]:
        """Drop expired viewers and stale typing flags; return the tickets that changed."""
        changed = []
        for key, people in list(self.tickets.items()):
            touched = False
            for user_id, entry in list(people.items()):
                if now - entry.seen_at > VIEWING_TTL:
                    del people[user_id]
                    touched = True
                elif entry.typing_until and entry.typing_until <= now:
                    entry.typing_until = 0.0
                    touched = True
            if not people:
                del self.tickets[key]
            if touched:
                changed.append(key)
        return changed
