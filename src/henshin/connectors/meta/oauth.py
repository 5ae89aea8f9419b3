"""Facebook Login for Business: the authorization-code flow both Meta connectors use.

1. The admin is sent to ``/dialog/oauth`` (``client_id`` = app id, ``state``, scopes).
2. ``GET /oauth/access_token?client_id&redirect_uri&client_secret&code`` → a short-lived
   user access token (about an hour).
3. ``GET /oauth/access_token?grant_type=fb_exchange_token&…`` → a long-lived user token
   (about 60 days); page tokens read with it do not expire.
4. ``GET /me/accounts?fields=id,name,access_token,instagram_business_account{id,username}``
   → the pages the admin manages, each with its page access token and linked Instagram
   professional account.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from henshin.connectors.errors import PermanentError
from henshin.connectors.meta.graph import GRAPH_BASE_URL, GraphClient

DIALOG_URL = "https://www.facebook.com/v21.0/dialog/oauth"
FACEBOOK_SCOPES = ("pages_show_list,pages_manage_metadata,pages_read_engagement,pages_read_user_content,"
                   "pages_manage_engagement,pages_messaging,business_management")
INSTAGRAM_SCOPES = ("instagram_basic,instagram_manage_comments,instagram_manage_messages,pages_show_list,"
                    "pages_read_engagement,pages_manage_metadata,business_management")
PAGE_FIELDS = "id,name,access_token,tasks,instagram_business_account{id,username}"


def _placeholder(value: str | None) -> bool:
    return not value or value == "pending"


def dialog_url(base_url: str, *, app_id: str | None, redirect_uri: str, state: str, scopes: str) -> str:
    """The login dialog URL (the sandbox serves it under its Graph base URL)."""
    if _placeholder(app_id):
        raise PermanentError("Meta OAuth needs the app id (app_id) of your Meta app")
    base = DIALOG_URL if base_url == GRAPH_BASE_URL else f"{base_url}/dialog/oauth"
    return base + "?" + urlencode({"client_id": app_id, "redirect_uri": redirect_uri, "state": state,
                                   "response_type": "code", "scope": scopes})


async def _get(graph: GraphClient, path: str, params: dict[str, Any]) -> dict[str, Any]:
    response = await graph.http.get(f"{graph.base_url}{path}", params=params)
    error = graph.map_error(response)
    if error is not None:
        raise error
    data: dict[str, Any] = response.json()
    return data


async def managed_pages(graph: GraphClient, *, app_id: str | None, app_secret: str, code: str,
                        redirect_uri: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Exchange ``code`` (then for a long-lived token) and list the admin's pages.

    Returns (the long-lived user token answer, the pages with their page tokens)."""
    if _placeholder(app_id) or _placeholder(app_secret):
        raise PermanentError("Meta OAuth needs the app id and the app secret of your Meta app")
    short = await _get(graph, "/oauth/access_token", {
        "client_id": app_id, "client_secret": app_secret, "redirect_uri": redirect_uri, "code": code})
    long_lived = await _get(graph, "/oauth/access_token", {
        "grant_type": "fb_exchange_token", "client_id": app_id, "client_secret": app_secret,
        "fb_exchange_token": short["access_token"]})
    pages = await _get(graph, "/me/accounts", {"fields": PAGE_FIELDS, "limit": 100,
                                                "access_token": long_lived["access_token"]})
    found = [p for p in pages.get("data") or [] if isinstance(p, dict) and p.get("access_token")]
    if not found:
        raise PermanentError("the Facebook account that logged in manages no page henshin may use; "
                             "grant access to at least one page in the login dialog")
    return long_lived, found


def choose(pages: list[dict[str, Any]], wanted: str | None, *, key: str) -> dict[str, Any]:
    """The page whose ``key`` (page id, or linked Instagram id) is ``wanted``, else the first."""
    def ident(page: dict[str, Any]) -> str | None:
        if key == "instagram":
            return str((page.get("instagram_business_account") or {}).get("id") or "") or None
        return str(page.get("id"))
    candidates = [p for p in pages if ident(p)]
    if not candidates:
        raise PermanentError("none of the pages granted has an Instagram professional account linked; "
                             "link one to a page in Meta Business Suite, then connect again")
    if not _placeholder(wanted):
        for page in candidates:
            if ident(page) == wanted:
                return page
        raise PermanentError(f"the account {wanted} was not among those granted in the login dialog")
    return candidates[0]
