"""The agents' knowledge-base page (/kb), the public 404 page, and draft paging."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.factories import Tenant
from tests.support.pages import log_in_page


def test_an_admin_writes_publishes_and_unpublishes_an_article(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.admin_email, lang="ja", page="/kb")
    created = ui.post("/kb", data={"csrf_token": csrf, "title": "返品・交換について", "language": "ja",
                                   "body": "商品到着後7日以内であれば返品できます。\n\n送料は当社負担です。",
                                   "tags": "返品, 交換", "slug": "returns"}, follow_redirects=False)
    assert created.status_code == 303
    page = ui.get(created.headers["location"])
    assert "保存しました" in page.text and "返品・交換について" in page.text and "下書き" in page.text
    assert ui.get(f"/kb/{shop.slug}/returns").status_code == 404  # a draft is not public
    article_id = int(created.headers["location"].split("edit=")[1].split("&")[0])
    published = ui.post(f"/kb/articles/{article_id}/publish", data={"csrf_token": csrf}, follow_redirects=False)
    assert published.status_code == 303
    page = ui.get("/kb?status=published")
    assert "公開中" in page.text and f"/kb/{shop.slug}/returns" in page.text
    public = ui.get(f"/kb/{shop.slug}/returns")
    assert public.status_code == 200 and "送料は当社負担です。" in public.text
    assert "返品・交換について" in ui.get("/kb?q=返品").text and "該当する記事はありません" in ui.get("/kb?q=zzz").text
    ui.post(f"/kb/articles/{article_id}/publish", data={"csrf_token": csrf})
    assert ui.get(f"/kb/{shop.slug}/returns").status_code == 404


def test_agents_read_but_do_not_write_and_bad_input_is_explained(ui: TestClient, shop: Tenant) -> None:
    csrf = log_in_page(ui, shop.admin_email, lang="en", page="/kb")
    bad_slug = ui.post("/kb", data={"csrf_token": csrf, "title": "Shipping", "body": "3 days", "language": "en",
                                    "slug": "Not a slug!"})
    assert bad_slug.status_code == 422 and "slug" in bad_slug.text and "3 days" in bad_slug.text
    bad_language = ui.post("/kb", data={"csrf_token": csrf, "title": "Shipping", "body": "3 days", "language": "fr"})
    assert bad_language.status_code == 422 and "language" in bad_language.text
    ui.cookies.clear()
    csrf = log_in_page(ui, shop.agent_email, lang="en", page="/kb")
    assert "New article" not in ui.get("/kb").text
    refused = ui.post("/kb", data={"csrf_token": csrf, "title": "Shipping", "body": "3 days", "language": "en"})
    assert refused.status_code == 403


def test_a_missing_public_page_is_an_html_404_in_the_visitors_language(ui: TestClient, shop: Tenant) -> None:
    missing = ui.get(f"/kb/{shop.slug}/no-such-article", headers={"accept-language": "ja"})
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "ページが見つかりません" in missing.text and f"/kb/{shop.slug}" in missing.text
    unknown_brand = ui.get("/kb/no-such-brand?lang=en")
    assert unknown_brand.status_code == 404 and "Page not found" in unknown_brand.text


def test_listing_drafts_pages_and_counts_drafts_only(ui: TestClient, shop: Tenant) -> None:
    for i in range(5):
        body = {"title": f"Draft {i}", "body": "internal", "language": "en", "published": False}
        assert ui.post("/api/v1/kb/articles", json=body, headers=shop.headers()).status_code == 201
        body = {"title": f"Public {i}", "body": "public", "language": "en", "published": True}
        assert ui.post("/api/v1/kb/articles", json=body, headers=shop.headers()).status_code == 201
    first = ui.get("/api/v1/kb/articles?published=false&limit=3", headers=shop.headers()).json()
    second = ui.get("/api/v1/kb/articles?published=false&limit=3&offset=3", headers=shop.headers()).json()
    assert first["total"] == second["total"] == 5
    titles = [a["title"] for a in first["items"] + second["items"]]
    assert len(titles) == 5 and all(t.startswith("Draft") for t in titles)
    assert ui.get("/api/v1/kb/articles?published=true", headers=shop.headers()).json()["total"] == 5
