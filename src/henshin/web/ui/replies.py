"""The agents' saved replies page: ``/replies``.

List and search (words, tags, ``/shortcut``; shared and personal; language; network) with
usage counts, and an editor beside the list (``?edit=<id>`` or ``?edit=new``) with the
variables explained. Forms post with the session's CSRF token; what the API refuses
(an unknown ``{variable}``, a shortcut already taken, a shared reply edited by an agent)
comes back on the same page, with the text kept, as a 4xx.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from henshin.kit.errors import NotFound
from henshin.models import SavedReply
from henshin.models.workspace import Role
from henshin.replies import actions
from henshin.replies import repository as repo
from henshin.replies.queries import list_saved_replies, saved_reply_out
from henshin.replies.schemas import SavedReplyIn, SavedReplyUpdate
from henshin.replies.templates import KNOWN_VARIABLES
from henshin.web.deps import Caller, DbSession
from henshin.web.ui.forms import apply_form, page_offset, tag_list
from henshin.web.ui.inbox import NETWORK_BADGES
from henshin.web.ui.rendering import PageCaller, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
LANGUAGES = ("ja", "en")
NETWORKS = tuple(n for n in NETWORK_BADGES if n not in ("api", "rss"))



def _visible(db: DbSession, caller: Caller, saved_reply_id: int) -> SavedReply:
    row = repo.get_saved_reply(db, caller.workspace_id, saved_reply_id)
    if row.owner_user_id not in (None, caller.user_id):
        raise NotFound(f"saved reply {saved_reply_id} not found")
    return row


def _form_values(form: Any) -> dict[str, Any]:
    return {
        "title": str(form.get("title") or "").strip(),
        "body": str(form.get("body") or ""),
        "shortcut": str(form.get("shortcut") or "").strip() or None,
        "language": str(form.get("language") or "") or None,
        "network": str(form.get("network") or "") or None,
        "tags": tag_list(form.get("tags")),
        "shared": str(form.get("shared") or "0") == "1",
    }


def _page(
    request: Request,
    caller: Caller,
    db: DbSession,
    *,
    editing: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    params = request.query_params
    q = params.get("q") or None
    scope = str(params.get("scope")) if params.get("scope") in ("shared", "personal") else "all"
    language = params.get("language") if params.get("language") in LANGUAGES else None
    network = params.get("network") if params.get("network") in NETWORKS else None
    offset = page_offset(params.get("offset"))
    listing = list_saved_replies(
        db, caller.workspace_id, caller.user_id, q=q, language=language, network=network,
        scope=scope, limit=PAGE_SIZE, offset=offset,
    )
    edit = params.get("edit")
    if editing is None and edit:
        if edit == "new":
            editing = {"id": None, "title": "", "body": "", "shortcut": "", "language": None,
                       "network": None, "tags": [], "shared": caller.role.rank >= Role.SUPERVISOR.rank}
        elif edit.isdigit():
            row = _visible(db, caller, int(edit))
            editing = saved_reply_out(row).model_dump()
    if editing is not None:
        shared = editing.get("shared") and editing.get("id")
        editing["read_only"] = bool(shared) and caller.role.rank < Role.SUPERVISOR.rank
    keep = {k: v for k, v in {"q": q, "scope": scope if scope != "all" else None,
                              "language": language, "network": network}.items() if v}
    return render(request, "replies/index.html", {
        "listing": listing, "q": q or "", "scope": scope, "language": language, "network": network,
        "offset": offset, "page_size": PAGE_SIZE, "languages": LANGUAGES, "networks": NETWORKS,
        "editing": editing, "errors": errors or [], "variables": list(KNOWN_VARIABLES),
        "keep": urlencode(keep), "may_share": caller.role.rank >= Role.SUPERVISOR.rank,
        "saved": params.get("saved") == "1", "deleted": params.get("deleted") == "1",
    }, caller=caller, status_code=status_code)


@router.get("/replies")
def replies_page(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Saved replies: the list with search and filters, and the editor when ``?edit=`` is set."""
    return _page(request, caller, db)


@router.post("/replies")
async def create_saved_reply(request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Create a saved reply from the editor's form (CSRF-checked by the page dependency)."""
    values = _form_values(await request.form())
    return apply_form(
        db,
        lambda: actions.do_create_saved_reply(db, workspace_id=caller.workspace_id, actor=caller.actor,
                                              role=caller.role, data=SavedReplyIn(**values)),
        show=lambda errors, status: _page(request, caller, db, editing={"id": None, **values},
                                          errors=errors, status_code=status),
        done=lambda outcome: RedirectResponse(f"/replies?edit={outcome.id}&saved=1", status_code=303))


@router.post("/replies/{saved_reply_id}")
async def update_saved_reply(saved_reply_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Save the editor's changes to one saved reply."""
    row = _visible(db, caller, saved_reply_id)
    values = _form_values(await request.form())
    values.pop("shared")  # who sees a reply is chosen when it is made
    editing = {"id": saved_reply_id, "shared": row.owner_user_id is None, **values}
    return apply_form(
        db,
        lambda: actions.do_update_saved_reply(db, row, actor=caller.actor, role=caller.role,
                                              data=SavedReplyUpdate(**values)),
        show=lambda errors, status: _page(request, caller, db, editing=editing, errors=errors, status_code=status),
        done=lambda _: RedirectResponse(f"/replies?edit={saved_reply_id}&saved=1", status_code=303))


@router.post("/replies/{saved_reply_id}/delete")
def delete_saved_reply(saved_reply_id: int, request: Request, caller: PageCaller, db: DbSession) -> Response:
    """Delete a saved reply (its owner, or a supervisor for shared ones)."""
    row = _visible(db, caller, saved_reply_id)
    return apply_form(
        db, lambda: actions.do_delete_saved_reply(db, row, actor=caller.actor, role=caller.role),
        show=lambda errors, status: _page(request, caller, db, errors=errors, status_code=status),
        done=lambda _: RedirectResponse("/replies?deleted=1", status_code=303))
