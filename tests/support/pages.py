"""Logging in to the web pages the way a person does, for the page tests."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.factories import PASSWORD


def log_in_page(client: TestClient, email: str, *, lang: str = "ja", page: str = "/inbox") -> str:
    """Log in through the login form with ``lang`` chosen, open ``page``, return its CSRF token."""
    client.cookies.set("henshin_lang", lang)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "next": page},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == page
    opened = client.get(page)
    assert opened.status_code == 200, opened.text[:300]
    return opened.text.split('name="csrf-token" content="')[1].split('"')[0]
