import pytest
from django.utils import timezone

from articles.models import Article, RelatedLink
from tests.factories import (
    hero_upload,
    inline_management,
    make_article,
    make_author,
    make_category,
    make_live_articles,
)

pytestmark = pytest.mark.django_db


def article_form(category, **overrides):
    now = timezone.localtime()
    data = {
        "title": "Written in the admin",
        "slug": "written-in-the-admin",
        "label": "Analysis",
        "summary": "A summary.",
        "body": "<p>Body</p><h2>Sub</h2><script>alert(1)</script>",
        "category": category.pk,
        "tags": "economy, trade",
        "is_featured": "on",
        "hero_alt": "Navy square",
        "hero_caption": "Caption",
        "hero_credit": "Photo by Us for Newsroom",
        "published_at_0": now.strftime("%Y-%m-%d"),
        "published_at_1": now.strftime("%H:%M:%S"),
        "seo_title": "",
        "seo_description": "",
        "canonical_url": "",
        **inline_management(related_links=2),
        "_publish_now": "Publish now",
    }
    data.update(overrides)
    return data


def test_editor_writes_an_article_with_related_links_and_sees_it_on_the_site(
    staff_client, category
):
    author = make_author()
    target = make_article(title="Earlier story", slug="earlier")
    data = article_form(
        category,
        authors=[author.pk],
        hero_image=hero_upload(),
        **{
            "related_links-0-position": "0",
            "related_links-0-target": target.pk,
            "related_links-1-position": "1",
            "related_links-1-url": "https://example.com/report",
            "related_links-1-title": "The full report",
        },
    )
    response = staff_client.post("/admin/articles/article/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="written-in-the-admin")
    assert "<script>" not in article.body
    assert sorted(article.tags.names()) == ["economy", "trade"]
    assert article.hero_width == 64 and article.hero_height == 36
    assert [link.target_id or link.url for link in article.related_links.all()] == [
        target.pk,
        "https://example.com/report",
    ]
    page = staff_client.get("/articles/written-in-the-admin/")
    assert page.status_code == 200
    assert b"The full report" in page.content and b"Earlier story" in page.content


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/x", "data:text/html,x"])
def test_related_link_with_non_web_url_is_refused_with_a_form_error(staff_client, category, url):
    data = article_form(
        category,
        **{
            "related_links-0-position": "0",
            "related_links-0-url": url,
            "related_links-0-title": "Bad",
        },
    )
    response = staff_client.post("/admin/articles/article/add/", data)
    assert response.status_code == 200
    errors = str(response.context["inline_admin_formsets"][0].formset.errors)
    assert "valid URL" in errors or "http://" in errors
    assert not Article.objects.filter(slug="written-in-the-admin").exists()
    assert not RelatedLink.objects.exists()


def test_related_link_with_both_target_and_url_is_refused(staff_client, category):
    target = make_article()
    data = article_form(
        category,
        **{
            "related_links-0-position": "0",
            "related_links-0-target": target.pk,
            "related_links-0-url": "https://example.com/",
            "related_links-0-title": "Both",
        },
    )
    response = staff_client.post("/admin/articles/article/add/", data)
    assert response.status_code == 200
    assert "either an article or an external URL" in str(
        response.context["inline_admin_formsets"][0].formset.errors
    )


def test_slug_is_prefilled_from_title(staff_client):
    response = staff_client.get("/admin/articles/article/add/")
    assert response.status_code == 200
    assert b"data-prepopulated-fields" in response.content or b"prepopulated" in response.content


def test_article_changelist_has_no_per_row_queries(staff_client, django_assert_num_queries):
    category = make_category()
    make_live_articles(3, category=category)
    staff_client.get("/admin/articles/article/")

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get("/admin/articles/article/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    make_live_articles(30, category=category)
    assert count() == small


@pytest.mark.parametrize(
    "query",
    ["status__exact=draft", "category__id__exact=1", "tags__id__exact=1", "q=story", "o=4"],
)
def test_changelist_filters_and_search_work(staff_client, article, query):
    response = staff_client.get(f"/admin/articles/article/?{query}")
    assert response.status_code == 200


def test_deleting_a_category_with_articles_is_refused_with_a_clear_message(staff_client, article):
    url = f"/admin/articles/category/{article.category.pk}/delete/"
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert b"protected related objects" in response.content
    assert article.category.__class__.objects.filter(pk=article.category.pk).exists()


def test_every_admin_page_renders(staff_client, article):
    for url in [
        "/admin/",
        "/admin/articles/category/",
        "/admin/articles/author/",
        "/admin/articles/articleredirect/",
        f"/admin/articles/article/{article.pk}/change/",
        "/admin/partners/partnerkey/",
        "/admin/articles/articlewithdrawal/",
        "/admin/taggit/tag/",
    ]:
        assert staff_client.get(url).status_code == 200, url
