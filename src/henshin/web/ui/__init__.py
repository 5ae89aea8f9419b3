"""The agents' web UI: server-rendered pages (Jinja2 + HTMX), static files, translations.

``mount_ui(app)`` adds the shared pages (login, inbox, tickets); other areas add their
own routers (``henshin.web.ui.<area>``) in ``henshin.wiring.mount_routes``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from henshin.web.ui.rendering import STATIC_DIR


def mount_ui(app: FastAPI) -> None:
    """Static files, login/logout/language/workspace, the inbox and ticket pages."""
    from henshin.web.ui import inbox, session_pages, ticket_page

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(session_pages.router)
    app.include_router(inbox.router)
    app.include_router(ticket_page.router)
