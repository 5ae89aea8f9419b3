import pytest

from henshin.replies.templates import TemplateSyntaxError, check_template, render, variables_in


def test_variables_are_filled() -> None:
    result = render("{customer_name}様、{agent_name}です。", {"customer_name": "山田", "agent_name": "林"})
    assert result.text == "山田様、林です。" and result.complete


def test_missing_and_unknown_variables_are_reported_and_stay_visible() -> None:
    result = render("Hi {customer_name}, see {order_url} {custmer}", {"customer_name": " "})
    assert result.missing == ["customer_name", "order_url", "custmer"]
    assert result.unknown == ["custmer"]
    assert "{order_url}" in result.text and not result.complete


def test_double_braces_are_literal() -> None:
    assert render("{{customer_name}} {handle}", {"handle": "@a"}).text == "{customer_name} @a"
    assert variables_in("{{x}} {a} {b} {a}") == ["a", "b"]


def test_lone_brace_is_a_syntax_error() -> None:
    with pytest.raises(TemplateSyntaxError):
        render("price {", {})
    with pytest.raises(TemplateSyntaxError):
        variables_in("{not a name}")


def test_check_template_lists_unknown_names() -> None:
    assert check_template("{customer_name} {favourite_colour}") == ["favourite_colour"]
