"""Language on short replies and mixed text."""

from __future__ import annotations

import pytest

from henshin.understand import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ok", "en"),
        ("thx!!", "en"),
        ("了解", "ja"),
        ("配送 delayed?", "ja"),
        ("ありがとうございます", "ja"),
        ("营业时间是几点？我想退货", "zh"),
        ("배송이 늦어요", "ko"),
        ("The package never arrived and nobody answers my emails", "en"),
        ("Bonjour, ma commande n'est pas arrivée", "fr"),
        ("🙏", "unknown"),
        ("!!", "unknown"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_network_hint_decides_when_text_is_too_short() -> None:
    assert detect_language("👍", hint="ja") == "ja"


def test_regional_hints_are_reduced_to_the_language() -> None:
    assert detect_language("👍", hint="ja-JP") == "ja"
    assert detect_language("👍", hint="") == "unknown"
