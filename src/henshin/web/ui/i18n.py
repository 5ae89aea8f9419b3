"""UI translations: one JSON catalog per area and language, ``i18n/<area>.<lang>.json``.

Each area (core, inbox, reports, rules…) owns its own files, so colleagues add keys
without touching anyone else's catalog. Keys are global (prefix them with the area,
e.g. ``reports.title``); a missing key falls back to English, then to the key itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from fastapi import Request

CATALOG_DIR = Path(__file__).parent / "i18n"
LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "henshin_lang"

Translator = Callable[..., str]


@lru_cache(maxsize=len(LANGUAGES))
def catalog(lang: str) -> dict[str, str]:
    """Every key of every area for ``lang`` (cached; files are read once per process)."""
    merged: dict[str, str] = {}
    for path in sorted(CATALOG_DIR.glob(f"*.{lang}.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translator(lang: str) -> Translator:
    """``t(key, **values)`` for ``lang``: looks the key up and fills ``{name}`` placeholders."""
    own = catalog(lang)
    fallback = catalog(DEFAULT_LANGUAGE)

    def t(key: str, **values: object) -> str:
        text = own.get(key) or fallback.get(key) or key
        return text.format(**values) if values else text

    return t


def from_accept_language(header: str) -> str | None:
    """The first supported language in an ``Accept-Language`` header, by quality."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().lower().split("-")[0]))
    for _q, _i, lang in sorted(ranked):
        if lang in LANGUAGES:
            return lang
    return None


def pick_language(request: Request, user_locale: str | None = None, workspace_locale: str | None = None) -> str:
    """The UI language: the person's explicit switch, their profile, the browser, the brand."""
    for candidate in (
        request.cookies.get(LANG_COOKIE),
        user_locale,
        from_accept_language(request.headers.get("accept-language", "")),
        workspace_locale,
    ):
        if candidate in LANGUAGES:
            return str(candidate)
    return DEFAULT_LANGUAGE
