"""The ``HenshinError`` family: each error carries its HTTP status and a clear message."""

from __future__ import annotations

from typing import Any


class HenshinError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(HenshinError):
    status_code = 404
    code = "not_found"


class Forbidden(HenshinError):
    status_code = 403
    code = "forbidden"


class Unauthorized(HenshinError):
    status_code = 401
    code = "unauthorized"


class Conflict(HenshinError):
    status_code = 409
    code = "conflict"


class InvalidInput(HenshinError):
    status_code = 422
    code = "invalid"
