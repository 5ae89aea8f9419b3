"""Language of a social post: ja, en, zh, ko, other ISO codes, or "unknown" when too short.

Scripts decide first (kana → ja, hangul → ko); Han-only text is Japanese unless it carries
Chinese-only function characters, because the brands henshin serves mostly hear 「了解」,
「配送 delayed?」 from Japanese customers. Latin text: a list of short English replies
("ok", "thx!!") and, for longer text, py3langid (loaded lazily).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from henshin.understand.normalize import fold

_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LATIN_WORD = re.compile(r"[a-zà-ÿ']+")
# Characters that appear in Chinese function words but (almost) never in Japanese text.
_CHINESE_ONLY = frozenset("这们么吗呢吧没说还给让问题时间谢个为们啊哪谁怎样里现发过对吗您")
_CHINESE_FUNCTION = frozenset("的了是我你他她在有不和很都也就要会能")
_ENGLISH_SHORT = frozenset(
    "ok okay k kk thx thanks thank ty tysm yes yep yeah no nope hi hello hey lol lmao omg wow "
    "cool nice great good bad help please pls plz why how what when where who sorry sure "
    "love hate awesome fine done np yay ugh meh the a an is it you i my me this that to".split()
)
_LANGID_LANGUAGES = ["en", "es", "fr", "de", "pt", "it", "nl", "id", "ms", "tl", "vi", "tr",
                     "pl", "sv", "da", "no", "fi", "ro", "cs", "hu"]

_lock = threading.Lock()
_classifier: list[Callable[[str], tuple[str, float]]] = []


def _langid() -> Callable[[str], tuple[str, float]]:
    if not _classifier:
        with _lock:
            if not _classifier:
                from py3langid.langid import (  # type: ignore[import-untyped]
                    MODEL_FILE,
                    LanguageIdentifier,
                )

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
                identifier.set_languages(_LANGID_LANGUAGES)
                _classifier.append(identifier.classify)
    return _classifier[0]


def detect_language(text: str, *, hint: str | None = None) -> str:
    """ISO 639-1 code of ``text`` ("ja", "en", "zh", "ko", …) or "unknown".

    ``hint`` (a network's own guess, "ja" or "ja-JP") is used when the text is too short to tell.
    """
    hint = hint.split("-")[0].split("_")[0].lower() or None if hint else None
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    han = _HAN.findall(text)
    if han:
        if any(c in _CHINESE_ONLY for c in han):
            return "zh"
        function_share = sum(c in _CHINESE_FUNCTION for c in han) / len(han)
        if len(han) >= 6 and function_share >= 0.15:
            return "zh"
        if hint in ("zh", "ja"):
            return hint
        return "ja"
    folded = fold(text)
    words = _LATIN_WORD.findall(folded)
    letters = sum(len(w) for w in words)
    if letters < 2:
        return hint or "unknown"
    if any(w in _ENGLISH_SHORT for w in words) and (letters < 25 or hint is None):
        english = sum(w in _ENGLISH_SHORT for w in words)
        if letters < 25 or english / len(words) >= 0.2:
            return "en"
    if letters < 12:
        return hint or ("en" if letters >= 2 else "unknown")
    code, _ = _langid()(folded)
    return code
