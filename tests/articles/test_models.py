from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from articles.labels import attach_labels
from articles.models import Article, ArticleRedirect, RelatedLink
from public.cards import more_to_read
from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db


def test_article_can_be_created_with_only_the_contract_fields():
    category = make_category()
    article = Article.objects.create(
        title="T",
        slug="t",
        summary="S",
        body="<p>B</p>",
        category=category,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    article.refresh_from_db()
    assert article.label == ""
    assert article.is_featured is False
    assert article.version == 1
    assert article.first_published_at == article.published_at


def test_live_excludes_draft_review_and_scheduled():
    live = make_article()
    make_article(status=Article.Status.DRAFT)
    make_article(status=Article.Status.REVIEW, published_at=timezone.now() - timedelta(days=1))
    make_article(published_at=timezone.now() + timedelta(hours=1))
    assert list(Article.objects.live()) == [live]


def test_scheduled_article_goes_live_by_itself_when_its_time_comes():
    publish_at = timezone.now() + timedelta(hours=2)
    scheduled = make_article(published_at=publish_at)
    assert scheduled not in Article.objects.live()
    with time_machine.travel(publish_at + timedelta(seconds=1)):
        assert scheduled in Article.objects.live()


def test_publishing_without_a_time_uses_now_and_stamps_first_published_once():
    article = make_article(status=Article.Status.DRAFT)
    assert article.published_at is None and article.first_published_at is None
    article.status = Article.Status.PUBLISHED
    article.save()
    first = article.first_published_at
    assert first == article.published_at
    article.published_at = timezone.now() + timedelta(days=1)
    article.save()
    assert article.first_published_at == first


def test_body_is_sanitized_on_save():
    article = make_article(
        body='<p onclick="x()">Hi<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">bad</a><a href="https://ok.example/">ok</a>'
        '<h2>Sub</h2><img src="https://img.example/a.png" alt="A" onerror="x()"><iframe></iframe>'
    )
    assert "script" not in article.body
    assert "onclick" not in article.body and "onerror" not in article.body
    assert "javascript:" not in article.body
    assert "iframe" not in article.body
    assert '<a href="https://ok.example/" rel="noopener noreferrer">ok</a>' in article.body
    assert "<h2>Sub</h2>" in article.body
    assert '<img src="https://img.example/a.png" alt="A">' in article.body


def test_reading_time_is_derived_from_the_body():
    article = make_article(body="<p>" + "word " * 700 + "</p>")
    assert article.reading_time_minutes == 4


def test_category_with_articles_cannot_be_deleted():
    article = make_article()
    with pytest.raises(ProtectedError):
        article.category.delete()


def test_slug_change_of_a_published_article_records_a_redirect():
    article = make_article(slug="first")
    article.slug = "second"
    article.save()
    article.slug = "third"
    article.save()
    assert dict(ArticleRedirect.objects.values_list("old_slug", "article__slug")) == {
        "first": "third",
        "second": "third",
    }


def test_renaming_back_to_an_old_slug_removes_that_redirect():
    article = make_article(slug="first")
    article.slug = "second"
    article.save()
    article.slug = "first"
    article.save()
    assert list(ArticleRedirect.objects.values_list("old_slug", flat=True)) == ["second"]


def test_draft_slug_changes_leave_no_redirect():
    article = make_article(slug="draft-one", status=Article.Status.DRAFT)
    article.slug = "draft-two"
    article.save()
    assert not ArticleRedirect.objects.exists()


def test_new_article_cannot_take_another_articles_old_slug():
    article = make_article(slug="old")
    article.slug = "new"
    article.save()
    other = Article(slug="old", title="x", summary="x", category=article.category)
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert "slug" in error.value.message_dict


def test_related_link_needs_exactly_one_of_target_or_url():
    article, target = make_article(), make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedLink.objects.create(article=article)
    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedLink.objects.create(article=article, target=target, url="https://example.com/")
    with pytest.raises(ValidationError):
        RelatedLink(article=article, target=target, url="https://example.com/").full_clean()


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com/file", "data:text/html,x", "//evil"]
)
def test_related_link_refuses_non_web_urls(url):
    link = RelatedLink(article=make_article(), url=url, title="t")
    with pytest.raises(ValidationError) as error:
        link.full_clean()
    assert "url" in error.value.message_dict


def test_more_to_read_puts_curated_links_first_skips_non_live_and_fills_from_category():
    category = make_category()
    article = make_article(category=category)
    curated = make_article()
    hidden = make_article(status=Article.Status.DRAFT)
    RelatedLink.objects.create(article=article, target=hidden, position=0)
    RelatedLink.objects.create(article=article, target=curated, position=1)
    RelatedLink.objects.create(article=article, url="https://example.com/", title="E", position=2)
    same_category = make_article(category=category)
    make_article(category=category, status=Article.Status.DRAFT)

    items = more_to_read(article)
    assert [item.article for item in items] == [curated, None, same_category]
    assert items[1].href == "https://example.com/" and items[1].domain == "example.com"


def test_more_to_read_cards_show_their_first_tag(client):
    """The fill comes with its cards' tags; the curated cards get theirs with the article's own
    labels (one query, ArticleDetailView)."""
    category = make_category()
    article = make_article(category=category, slug="subject")
    curated = make_article(category=category, tags=["ports", "rail"])
    untagged = make_article(category=category, tags=[])
    filler = make_article(category=category, tags=["harbours", "ports"])
    RelatedLink.objects.create(article=article, target=curated, position=0)
    RelatedLink.objects.create(article=article, target=untagged, position=1)
    cards = [item.article for item in more_to_read(article)]
    assert cards == [curated, untagged, filler]
    assert [tag.slug for tag in cards[2].tag_labels] == ["harbours", "ports"]
    html = client.get("/articles/subject/").content.decode()
    section = html.split("More to Read")[1]
    assert section.count('class="tag"') == 2
    assert 'href="/tags/ports/"' in section and 'href="/tags/harbours/"' in section


def test_more_to_read_fills_from_category_without_duplicates_or_self():
    category = make_category()
    article = make_article(category=category)
    siblings = [make_article(category=category) for _ in range(4)]
    RelatedLink.objects.create(article=article, target=siblings[0])
    items = more_to_read(article)
    pks = [item.article.pk for item in items]
    assert len(pks) == 3 == len(set(pks))
    assert article.pk not in pks
    assert pks[0] == siblings[0].pk


def test_addresses_are_reversed_once_per_slug_and_follow_the_url_configuration(settings):
    from django.urls import clear_url_caches

    from articles import addresses

    addresses._reverse_slug.cache_clear()
    assert addresses.slug_url("articles:tag", "ports") == "/tags/ports/"
    assert addresses.slug_url("articles:tag", "ports") == "/tags/ports/"
    assert addresses._reverse_slug.cache_info().hits == 1
    assert addresses.fixed_url("articles:feed") == addresses.fixed_url("articles:feed") == "/feed/"
    assert addresses._reverse_fixed.cache_info().hits >= 1
    settings.ROOT_URLCONF = "tests.urls_prefixed"
    clear_url_caches()
    assert addresses.slug_url("articles:tag", "ports") == "/news/tags/ports/"
    assert addresses.fixed_url("articles:feed") == "/news/feed/"


def test_tag_list_gives_linkable_labels_with_or_without_attached_labels(db):
    article = make_article(tags=["Harbor Fees"])
    plain = Article.objects.get(pk=article.pk)
    [labelled] = attach_labels([Article.objects.get(pk=article.pk)])
    for loaded in (plain, labelled):
        assert [tag.get_absolute_url() for tag in loaded.tag_list] == ["/tags/harbor-fees/"]


def test_live_related_links_test_the_joined_target_not_a_list_of_every_live_article(db):
    """`target__in=live()` made PostgreSQL hash every live article's id for each article page."""
    article, target = make_article(), make_article()
    draft = make_article(status=Article.Status.DRAFT)
    RelatedLink.objects.create(article=article, target=target)
    RelatedLink.objects.create(article=article, target=draft)
    RelatedLink.objects.create(article=article, url="https://example.org/a", title="Elsewhere")
    links = RelatedLink.objects.of_article(article.pk)
    assert str(links.query).count("SELECT") == 1
    assert [(link.target, link.url) for link in links] == [
        (target, ""),
        (None, "https://example.org/a"),
    ]
