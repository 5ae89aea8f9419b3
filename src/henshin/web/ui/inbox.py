"""The inbox page: views with counts, the ticket list (full page and HTMX rows), saved views."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from henshin.kit.errors import InvalidInput
from henshin.kit.time import as_utc, utc_now
from henshin.tickets.queries import list_tickets
from henshin.tickets.schemas import TicketFilter, TicketOut, TicketSort
from henshin.views import actions as view_actions
from henshin.views import queries as view_queries
from henshin.views.schemas import InboxView, SavedViewIn
from henshin.web.deps import Caller, DbSession
from henshin.web.ui.rendering import PageCaller, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
LIST_FIELDS = {
    name for name, field in TicketFilter.model_fields.items()
    if str(field.annotation).startswith("list")
}
SCALAR_FIELDS = set(TicketFilter.model_fields) - LIST_FIELDS - {"folded_query", "q"}
NETWORK_BADGES = {
    "x": "X", "instagram": "IG", "facebook": "FB", "line": "LINE", "rss": "RSS",
    "tiktok": "TT", "youtube": "YT", "linkedin": "in", "google": "G", "bluesky": "BS",
    "mastodon": "M", "pinterest": "P", "api": "API",
}


def filter_from_query(params: list[tuple[str, str]]) -> TicketFilter | None:
    """A custom filter from tickets-API style query parameters, or None when there is none."""
    values: dict[str, Any] = {}
    for key, value in params:
        if key in LIST_FIELDS and value != "":
            values.setdefault(key, []).append(value)
        elif key in SCALAR_FIELDS and value != "":
            values[key] = value
    if not values:
        return None
    try:
        return TicketFilter.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from exc


def resolve_view(db: DbSession, caller: Caller, request: Request) -> tuple[list[InboxView], InboxView]:
    """The person's views and the one this request shows (a custom filter is its own view)."""
    views = view_queries.views_for(db, caller.workspace_id, caller.user_id)
    custom = filter_from_query(list(request.query_params.multi_items()))
    if custom is not None:
        return views, InboxView("custom", "inbox.view.custom", None, custom)
    key = request.query_params.get("view") or "open"
    return views, view_queries.find_view(views, key)


def sort_of(request: Request, view: InboxView) -> TicketSort:
    raw = request.query_params.get("sort")
    if raw:
        try:
            return TicketSort(raw)
        except ValueError as exc:
            raise InvalidInput(f"sort must be one of {[s.value for s in TicketSort]}") from exc
    return view.sort or TicketSort.ACTIVITY


def row_context(db: DbSession, caller: Caller, rows: list[TicketOut]) -> dict[str, Any]:
    """What the row template needs beyond the rows: names of assignees, the clock, SLA state."""
    member_rows = view_queries.members(db, caller.workspace_id)
    team_rows = view_queries.teams(db, caller.workspace_id)
    members = {uid: name for uid, name, _ in member_rows}
    teams = dict(team_rows)
    now = utc_now()
    waiting: dict[int, tuple[float, bool]] = {}
    for row in rows:
        if row.waiting_since is None or row.status.value == "closed":
            continue
        dues = [d for d in (row.sla_first_response_due_at, row.sla_next_response_due_at) if d]
        late = bool(dues) and min(as_utc(d) for d in dues) <= now
        waiting[row.id] = ((now - as_utc(row.waiting_since)).total_seconds(), late)
    return {
        "member_names": members, "team_names": teams, "members": member_rows, "teams": team_rows,
        "waiting": waiting, "badges": NETWORK_BADGES,
    }


def list_page(db: DbSession, caller: Caller, request: Request) -> dict[str, Any]:
    views, view = resolve_view(db, caller, request)
    q = (request.query_params.get("q") or "").strip()
    if len(q) > 200:
        raise InvalidInput("the search text is longer than 200 characters")
    f = view.filter.model_copy(update={"q": q or None})
    sort = sort_of(request, view)
    page = list_tickets(
        db, caller.workspace_id, f, sort=sort, cursor=request.query_params.get("cursor") or None,
        limit=PAGE_SIZE, viewer_user_id=caller.user_id,
    )
    keep = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    return {
        "views": views,
        "view": view,
        "q": q,
        "sort": sort.value,
        "rows": page.items,
        "next_cursor": page.next_cursor,
        "query": urlencode(keep),
        "more_url": "/inbox/rows?" + urlencode([*keep, ("cursor", page.next_cursor)]) if page.next_cursor else None,
        **row_context(db, caller, page.items),
    }


@router.get("/inbox")
def inbox(request: Request, caller: PageCaller, db: DbSession) -> Response:
    context = list_page(db, caller, request)
    context["workspaces"] = view_queries.workspaces_of_user(db, caller.user_id)
    return render(request, "inbox/inbox.html", context, caller=caller)


@router.get("/inbox/rows")
def inbox_rows(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Just the rows (for live refresh, search as you type and "more")."""
    context = list_page(db, caller, request)
    return render(request, "inbox/rows.html", context, caller=caller)


@router.get("/inbox/counts")
def inbox_counts(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Counts per view (capped), loaded after the page and refreshed on live updates."""
    views = view_queries.views_for(db, caller.workspace_id, caller.user_id)
    counts = {v.key: view_queries.count_view(db, caller.workspace_id, v.filter) for v in views}
    return JSONResponse({"counts": counts, "cap": view_queries.COUNT_CAP})


@router.get("/inbox/tags")
def tag_suggestions(caller: PageCaller, db: DbSession, prefix: str = "") -> Response:
    return JSONResponse({"tags": view_queries.tag_suggestions(db, caller.workspace_id, prefix[:100])})


@router.post("/inbox/views")
async def save_view(
    request: Request,
    caller: PageCaller,
    db: DbSession,
    name: Annotated[str, Form(max_length=120)],
    query: Annotated[str, Form(max_length=4000)] = "",
    shared: Annotated[bool, Form()] = False,
) -> Response:
    """Save the filters currently shown (the query string of the list) as a named view."""
    from urllib.parse import parse_qsl

    params = parse_qsl(query, keep_blank_values=False)
    f = filter_from_query(params)
    if f is None:
        views = view_queries.views_for(db, caller.workspace_id, caller.user_id)
        key = dict(params).get("view", "open")
        f = view_queries.find_view(views, key).filter
    q = dict(params).get("q")
    if q:
        f = f.model_copy(update={"q": q})
    sort = TicketSort(dict(params).get("sort", "activity")) if dict(params).get("sort") in {
        s.value for s in TicketSort} else TicketSort.ACTIVITY
    try:
        view_in = SavedViewIn(name=name, filters=f, sort=sort, shared=shared)
    except ValidationError as exc:
        raise InvalidInput(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from exc
    view = view_actions.do_save_view(
        db, workspace_id=caller.workspace_id, user_id=caller.user_id, role=caller.role, view_in=view_in
    )
    db.commit()
    return RedirectResponse(f"/inbox?view=saved-{view.id}", status_code=303)


@router.post("/inbox/views/{view_id}/delete")
def delete_view(view_id: int, caller: PageCaller, db: DbSession) -> Response:
    view_actions.do_delete_view(
        db, workspace_id=caller.workspace_id, user_id=caller.user_id, role=caller.role, view_id=view_id
    )
    db.commit()
    return RedirectResponse("/inbox", status_code=303)
