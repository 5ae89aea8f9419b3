"""All ORM models (one file per aggregate). Importing this registers every table."""

from henshin.models.channel import Channel
from henshin.models.contact import Contact
from henshin.models.engagement import Engagement
from henshin.models.outbound import OutboundMessage
from henshin.models.ticket import Note, Ticket, TicketEvent, TicketRead, TicketTag
from henshin.models.workspace import (
    ApiToken,
    Membership,
    Team,
    TeamMember,
    User,
    UserSession,
    Workspace,
)

__all__ = [
    "ApiToken",
    "Channel",
    "Contact",
    "Engagement",
    "Membership",
    "Note",
    "OutboundMessage",
    "Team",
    "TeamMember",
    "Ticket",
    "TicketEvent",
    "TicketRead",
    "TicketTag",
    "User",
    "UserSession",
    "Workspace",
]
