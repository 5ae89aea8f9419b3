"""One handler renders every ``HenshinError`` and validation error as a clear JSON body."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError

from henshin.kit.errors import HenshinError


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "request"


def validation_lines(errors: Sequence[Mapping[str, Any]]) -> list[str]:
    """Pydantic's errors as ``field: message`` lines a person can act on (the first ten)."""
    return [f"{_location(tuple(e.get('loc', ())))}: {e.get('msg', 'invalid')}" for e in errors[:10]]


def describe_validation(exc: RequestValidationError) -> str:
    return "; ".join(validation_lines(exc.errors()))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HenshinError)
    async def _henshin_error(request: Request, exc: HenshinError) -> Response:
        if exc.status_code == 401 and _wants_html(request):
            from fastapi.responses import RedirectResponse

            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return JSONResponse(
            {"error": {"code": exc.code, "message": exc.message, "details": exc.details}},
            status_code=exc.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"loc": _location(tuple(e.get("loc", ()))), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()[:50]
        ]
        return JSONResponse(
            {"error": {"code": "invalid", "message": describe_validation(exc), "details": details}},
            status_code=422,
        )

    @app.exception_handler(OperationalError)
    async def _database_unavailable(_request: Request, exc: OperationalError) -> Response:
        return JSONResponse(
            {"error": {"code": "database_unavailable",
                       "message": "the database is unavailable; nothing was saved, try again"}},
            status_code=503,
            headers={"Retry-After": "2"},
        )


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")
