"""What every editing page does with a posted form: apply the change and commit, or roll
back and show the same form again with the errors and the person's text kept.

    return apply_form(db, lambda: actions.do_create_x(...),
                      done=lambda x: RedirectResponse(f"/x?edit={x.id}&saved=1", status_code=303),
                      show=lambda errors, status: _page(...))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from henshin.kit.errors import HenshinError
from henshin.web.errors import validation_lines

T = TypeVar("T")

PAGE_OFFSET_MAX = 1_000_000


def apply_form(db: Session, change: Callable[[], T], *, done: Callable[[T], Response],
               show: Callable[[list[str], int], Response]) -> Response:
    """``change()``, commit, ``done(result)``; invalid input (422) or a refused change (its
    status) rolls back and re-shows the form."""
    try:
        result = change()
        db.commit()
    except ValidationError as error:
        db.rollback()
        return show(validation_lines(error.errors()), 422)
    except HenshinError as error:
        db.rollback()
        return show([error.message], error.status_code)
    return done(result)


def tag_list(value: Any) -> list[str]:
    """Tags typed as ``a, b`` or 「a、b」, a leading ``#`` dropped."""
    return [t.strip().lstrip("#") for t in str(value or "").replace("、", ",").split(",") if t.strip()]


def page_offset(value: str | None) -> int:
    """A list's ``?offset=``: a bad or negative value is the first page."""
    try:
        return min(PAGE_OFFSET_MAX, max(0, int(value or 0)))
    except ValueError:
        return 0
