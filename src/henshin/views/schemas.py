"""Shapes of inbox views: a built-in or saved view resolves to a ``TicketFilter`` and a sort."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from henshin.tickets.schemas import TicketFilter, TicketSort


@dataclass(frozen=True)
class InboxView:
    """One entry of the inbox's view list."""

    key: str  # "unassigned", "mine"… or "saved-<id>"
    label_key: str | None  # i18n key for built-in views
    name: str | None  # the name a person gave a saved view
    filter: TicketFilter
    sort: TicketSort | None = None
    saved_id: int | None = None
    shared: bool = False


class SavedViewIn(BaseModel):
    """A custom view to save: its name and the tickets-API filters it stands for."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    filters: TicketFilter
    sort: TicketSort = TicketSort.ACTIVITY
    shared: bool = False
