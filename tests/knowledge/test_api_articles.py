"""Knowledge-base articles: agents' CRUD and search, and the public self-service pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from henshin.db.session import Database
from tests.support.factories import Tenant, make_tenant

ARTICLES = [
    {"title": "ポイントカードの再発行", "body": "ポイントカードを紛失された場合は、店頭で再発行できます。\n\n残高は引き継がれます。",
     "language": "ja", "tags": ["ポイント"], "published": True},
    {"title": "Shipping times", "body": "Orders arrive within 3 business days.", "language": "en", "published": True},
    {"title": "社内向け：返金フロー", "body": "返金は経理の承認後に行います。", "language": "ja", "published": False},
]


def create_all(client: TestClient, tenant: Tenant) -> list[dict]:
    out = []
    for body in ARTICLES:
        response = client.post("/api/v1/kb/articles", json=body, headers=tenant.headers())
        assert response.status_code == 201, response.text
        out.append(response.json())
    return out


def test_articles_get_slugs_and_only_published_ones_have_a_public_url(client: TestClient, tenant: Tenant) -> None:
    points, shipping, internal = create_all(client, tenant)
    assert shipping["slug"] == "shipping-times"
    assert points["slug"].startswith("article-")  # a Japanese title makes no ASCII slug
    assert points["public_url"] == f"/kb/{tenant.slug}/{points['slug']}"
    assert internal["public_url"] is None
    taken = client.post("/api/v1/kb/articles", json={**ARTICLES[1], "slug": "shipping-times"}, headers=tenant.headers())
    assert taken.status_code == 409
    bad = client.post("/api/v1/kb/articles", json={**ARTICLES[1], "slug": "Not a slug!"}, headers=tenant.headers())
    assert bad.status_code == 422 and "slug" in bad.json()["error"]["message"]
    assert client.post("/api/v1/kb/articles", json=ARTICLES[1], headers=tenant.headers("agent")).status_code == 403
    missing_language = client.post("/api/v1/kb/articles", json={"title": "t", "body": "b"}, headers=tenant.headers())
    assert missing_language.status_code == 422 and "language" in missing_language.json()["error"]["message"]


def test_agents_search_articles_in_japanese_whatever_the_width_or_kana(client: TestClient, tenant: Tenant) -> None:
    points, shipping, internal = create_all(client, tenant)

    def ids(**params: object) -> list[int]:
        response = client.get("/api/v1/kb/articles", params=params, headers=tenant.headers("agent"))
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["items"]]

    assert ids(q="ﾎﾟｲﾝﾄ") == [points["id"]]
    assert ids(q="ぽいんとかーど 紛失") == [points["id"]]
    assert ids(q="SHIPPING") == [shipping["id"]]
    assert ids(q="返金") == [internal["id"]]
    assert ids(published=True, language="ja") == [points["id"]]
    assert ids(tag="ポイント") == [points["id"]]


def test_the_public_knowledge_base_shows_published_articles_without_login(client: TestClient, tenant: Tenant) -> None:
    points, shipping, internal = create_all(client, tenant)
    index = client.get(f"/kb/{tenant.slug}?lang=ja")
    assert index.status_code == 200
    assert "ポイントカードの再発行" in index.text and "よくあるご質問" in index.text
    assert "返金フロー" not in index.text and "Shipping times" not in index.text
    english = client.get(f"/kb/{tenant.slug}?lang=en")
    assert "Shipping times" in english.text and "Help centre" in english.text
    found = client.get(f"/kb/{tenant.slug}", params={"q": "ﾎﾟｲﾝﾄｶｰﾄﾞ", "lang": "ja"})
    assert "ポイントカードの再発行" in found.text and "検索結果：1件" in found.text
    page = client.get(f"/kb/{tenant.slug}/{points['slug']}")
    assert page.status_code == 200 and "残高は引き継がれます。" in page.text
    assert client.get(f"/kb/{tenant.slug}/{internal['slug']}").status_code == 404
    assert client.get("/kb/no-such-brand").status_code == 404


def test_one_workspace_never_sees_anothers_articles(client: TestClient, tenant: Tenant, database: Database) -> None:
    points = create_all(client, tenant)[0]
    other = make_tenant(database)
    assert client.get(f"/api/v1/kb/articles/{points['id']}", headers=other.headers()).status_code == 404
    assert client.get("/api/v1/kb/articles", headers=other.headers()).json()["total"] == 0
    assert client.get(f"/kb/{other.slug}/{points['slug']}").status_code == 404
    removed = client.delete(f"/api/v1/kb/articles/{points['id']}", headers=tenant.headers())
    assert removed.status_code == 204
    assert client.get(f"/kb/{tenant.slug}/{points['slug']}").status_code == 404
