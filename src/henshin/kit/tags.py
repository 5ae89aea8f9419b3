"""Tag names for saved replies and KB articles: one rule, one place."""

from __future__ import annotations

import re
from collections.abc import Iterable

from henshin.kit.errors import InvalidInput

TAG = re.compile(r"^[^\s,#]{1,50}$")


def check_tags(tags: Iterable[str]) -> list[str]:
    """Clean tag names (lower case, de-duplicated): no spaces, commas or '#', at most 50 characters."""
    names: list[str] = []
    for raw in tags:
        name = raw.strip().lower()
        if not TAG.match(name):
            raise InvalidInput(f"tag {raw!r} is empty, longer than 50 or contains a space, ',' or '#'")
        if name not in names:
            names.append(name)
    return names
