"""Personal data spans for reply guards and redaction."""

from __future__ import annotations

from henshin.understand.pii import find_pii, redact


def kinds(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in find_pii(text, **kwargs)]  # type: ignore[arg-type]


def test_japanese_phones_including_full_width_digits() -> None:
    assert kinds("電話は０９０－１２３４－５６７８です") == [("phone", "０９０－１２３４－５６７８")]
    assert kinds("03-1234-5678 まで") == [("phone", "03-1234-5678")]
    assert kinds("call +81 90-1234-5678") == [("phone", "+81 90-1234-5678")]


def test_north_american_phones_written_the_national_way() -> None:
    assert kinds("call me at 415-555-0132") == [("phone", "415-555-0132")]
    assert kinds("(415) 555-0132 after 5pm") == [("phone", "(415) 555-0132")]
    assert kinds("my cell is 212.555.0187") == [("phone", "212.555.0187")]
    # Ten bare digits are an account or order number, not a phone.
    assert kinds("account 4155550132") == []


def test_spans_index_the_original_text() -> None:
    text = "電話は０９０－１２３４－５６７８です"
    (span,) = find_pii(text)
    assert text[span.start : span.end] == span.text


def test_email_postal_code_and_address() -> None:
    found = kinds("〒150-0001 東京都渋谷区神宮前1-2-3 taro@example.co.jp")
    assert ("postal_code", "〒150-0001") in found
    assert ("address", "東京都渋谷区神宮前1-2-3") in found
    assert ("email", "taro@example.co.jp") in found


def test_only_luhn_valid_card_numbers() -> None:
    assert kinds("4111 1111 1111 1111") == [("card_number", "4111 1111 1111 1111")]
    assert kinds("4111 1111 1111 1112") == []


def test_workspace_order_patterns_and_default_order_numbers() -> None:
    assert kinds("予約 R-2024-0001 です", order_patterns=[r"R-\d{4}-\d{4}"]) == [
        ("order_number", "R-2024-0001")]
    assert kinds("予約 R-2024-0001 です") == []
    assert kinds("注文番号：AB-123456") == [("order_number", "AB-123456")]


def test_dates_and_prices_are_not_personal_data() -> None:
    assert kinds("2024-01-15 に 1,234円 で買いました") == []


def test_redact_replaces_each_span() -> None:
    text = "mail taro@example.com or 090-1234-5678"
    assert redact(text, find_pii(text)) == "mail [email] or [phone]"


def test_a_broken_workspace_pattern_is_skipped() -> None:
    assert kinds("予約 R-2024-0001", order_patterns=["(unclosed", r"R-\d{4}-\d{4}"]) == [
        ("order_number", "R-2024-0001")]
