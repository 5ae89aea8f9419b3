"""All ORM models (one file per aggregate). Importing this registers every table."""

from henshin.models.channel import Channel
from henshin.models.channel_link import ChannelAlert, OAuthGrant
from henshin.models.contact import Contact
from henshin.models.csat import CsatSurvey
from henshin.models.engagement import Engagement
from henshin.models.knowledge import Article
from henshin.models.notification import Notification
from henshin.models.outbound import OutboundMessage
from henshin.models.reply import Draft, GuardOverride, SavedReply
from henshin.models.report import ReportCell, TicketFact
from henshin.models.routing import AgentShift, RoundRobinCursor
from henshin.models.rule import Rule, RuleActionLog, RuleRun
from henshin.models.sla import SlaAlert, SlaPolicy, TicketSlaClock
from henshin.models.ticket import Note, Ticket, TicketEvent, TicketRead, TicketTag
from henshin.models.view import SavedView
from henshin.models.webhook import WebhookDelivery
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
    "AgentShift",
    "Notification",
    "RoundRobinCursor",
    "Rule",
    "RuleActionLog",
    "RuleRun",
    "SlaAlert",
    "SlaPolicy",
    "TicketSlaClock",
    "Article",
    "Draft",
    "GuardOverride",
    "SavedReply",
    "SavedView",
    "ApiToken",
    "Channel",
    "ChannelAlert",
    "Contact",
    "CsatSurvey",
    "Engagement",
    "Membership",
    "Note",
    "OAuthGrant",
    "OutboundMessage",
    "Team",
    "TeamMember",
    "Ticket",
    "TicketEvent",
    "TicketFact",
    "ReportCell",
    "TicketRead",
    "TicketTag",
    "User",
    "UserSession",
    "WebhookDelivery",
    "Workspace",
]
