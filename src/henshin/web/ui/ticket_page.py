"""The ticket page: the conversation in context, history, the author, actions and composer."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from henshin.kit.time import utc_now
from henshin.routing.hours import WeeklySchedule
from henshin.tickets.queries import ticket_detail
from henshin.tickets.schemas import TicketDetail
from henshin.views import queries as view_queries
from henshin.web.deps import Caller, DbSession
from henshin.web.ui.inbox import NETWORK_BADGES
from henshin.web.ui.rendering import PageCaller, render, zone_of

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


def snooze_presets(caller: Caller, now: datetime | None = None) -> dict[str, datetime]:
    """1 hour; tomorrow morning (the next business-hours opening); next week (Monday opening)."""
    now = now or utc_now()
    zone = zone_of(caller.workspace.timezone)
    local = now.astimezone(zone)
    tomorrow_9 = (local + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    monday_9 = (local + timedelta(days=7 - local.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)
    presets = {"1h": now + timedelta(hours=1), "tomorrow": tomorrow_9, "next_week": monday_9}
    if caller.workspace.business_hours:
        try:
            hours = WeeklySchedule.from_json(caller.workspace.business_hours)
            presets["tomorrow"] = hours.next_business_morning(now)
            presets["next_week"] = hours.next_open(monday_9.replace(hour=0))
        except (ValueError, KeyError, TypeError):  # malformed hours must not break the page
            log.warning("workspace %s has unusable business hours; snoozing to 09:00", caller.workspace_id)
    return presets


def timeline(detail: TicketDetail) -> list[tuple[datetime, str, Any]]:
    """Messages, internal notes and history changes in one time-ordered list."""
    items: list[tuple[datetime, str, Any]] = [(m.created_at, "message", m) for m in detail.messages]
    items += [(n.created_at, "note", n) for n in detail.notes]
    shown = {"assigned", "unassigned", "tagged", "untagged", "priority", "snoozed", "woke", "closed",
             "reopened", "escalated", "deescalated", "spam", "rule", "sla", "gratitude"}
    items += [(e.created_at, "event", e) for e in detail.events if e.type in shown]
    items.sort(key=lambda item: (item[0], {"message": 0, "note": 1, "event": 2}[item[1]]))
    return items


def ticket_context(db: DbSession, caller: Caller, ticket_id: int) -> dict[str, Any]:
    detail = ticket_detail(db, caller.workspace_id, ticket_id, viewer_user_id=caller.user_id)
    members = view_queries.members(db, caller.workspace_id)
    teams = view_queries.teams(db, caller.workspace_id)
    return {
        "ticket": detail,
        "timeline": timeline(detail),
        "members": members,
        "member_names": {uid: name for uid, name, _ in members},
        "teams": teams,
        "team_names": dict(teams),
        "badges": NETWORK_BADGES,
        "presets": snooze_presets(caller),
        "private_only": detail.kind == "dm",
    }


@router.get("/tickets/{ticket_id}")
def ticket_page(ticket_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    context = ticket_context(db, caller, ticket_id)
    context["workspaces"] = view_queries.workspaces_of_user(db, caller.user_id)
    context["back"] = request.query_params.get("back") or "/inbox"
    if not context["back"].startswith("/inbox"):
        context["back"] = "/inbox"
    return render(request, "inbox/ticket.html", context, caller=caller)


@router.get("/tickets/{ticket_id}/panel")
def ticket_panel(ticket_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    """The refreshable part of the ticket page (after an action or a live change)."""
    return render(request, "inbox/ticket_panel.html", ticket_context(db, caller, ticket_id), caller=caller)


@router.get("/tickets/{ticket_id}/snooze-presets")
def presets(ticket_id: int, caller: PageCaller) -> Response:
    return JSONResponse({k: v.isoformat() for k, v in snooze_presets(caller).items()})
