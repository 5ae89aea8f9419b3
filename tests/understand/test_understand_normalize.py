"""fold: the matching form keywords and texts are compared in."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from henshin.understand.normalize import display_form, fold

_FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def test_width_case_and_kana_fold_to_one_form() -> None:
    assert fold("ＡＢＣ１２３") == fold("abc123") == "abc123"
    assert fold("ｱﾘｶﾞﾄｳ") == fold("アリガトウ") == fold("ありがとう") == "ありがとう"
    assert fold("０９０－１２３４") == "090-1234"


def test_emoji_are_kept() -> None:
    assert fold("Thanks 🙏✨") == "thanks 🙏✨"


def test_display_form_keeps_enclosed_characters() -> None:
    assert display_form("①㈱ＡＢＣ") == "①㈱ABC"
    assert fold("①") == "1"


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E)))
def test_full_width_variant_folds_equal(text: str) -> None:
    wide = "".join(_FULLWIDTH[c] for c in text)
    assert fold(wide) == fold(text)


def test_typographic_quotes_fold_to_plain_ones() -> None:
    assert fold("don’t “help”") == fold("don't \"help\"")
