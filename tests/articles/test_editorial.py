"""The editors' desk: roles, workflow, preview, conflicts, revisions, slugs, images."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from articles.models import Article, ArticleConflict, ArticleRedirect
from articles.preview import make_preview_token
from articles.services import article_publish, article_unpublish
from tests.factories import inline_management, make_article, make_author, make_category

pytestmark = pytest.mark.django_db


def user_in(group, django_user_model, username):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def writer(django_user_model):
    return user_in("Writers", django_user_model, "wendy")


@pytest.fixture
def editor(django_user_model):
    return user_in("Editors", django_user_model, "eddie")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def form_data(article, **overrides):
    local = timezone.localtime(article.published_at) if article.published_at else None
    data = {
        "title": article.title,
        "slug": article.slug,
        "label": article.label,
        "summary": article.summary,
        "body": article.body,
        "category": article.category_id,
        "tags": ", ".join(article.tags.names()),
        "authors": [a.pk for a in article.authors.all()],
        "hero_alt": article.hero_alt,
        "hero_caption": article.hero_caption,
        "hero_credit": article.hero_credit,
        "published_at_0": local.strftime("%Y-%m-%d") if local else "",
        "published_at_1": local.strftime("%H:%M:%S") if local else "",
        "seo_title": "",
        "seo_description": "",
        "canonical_url": "",
        "expected_version": article.version,
        **inline_management(),
    }
    data.update(overrides)
    return data


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def draft(**overrides):
    overrides.setdefault("status", Article.Status.DRAFT)
    overrides.setdefault("category", make_category())
    return make_article(**overrides)


# Roles


def test_roles_exist_with_the_publish_permission_only_for_editors(writer, editor):
    assert editor.has_perm("articles.publish_article")
    assert not writer.has_perm("articles.publish_article")
    assert writer.has_perm("articles.add_article") and writer.has_perm("articles.change_article")
    assert not writer.has_perm("articles.delete_category")
    assert editor.has_perm("articles.delete_category") and editor.has_perm("taggit.change_tag")


def test_writer_writes_a_draft_and_submits_it_for_review(writer):
    article = draft()
    response = logged_in(writer).post(
        change_url(article), form_data(article, title="Better title", _submit_review="1")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.status) == ("Better title", Article.Status.REVIEW)


@pytest.mark.parametrize("action", ["_publish_now", "_schedule", "_unpublish"])
def test_writer_forging_a_publishing_post_is_refused(writer, action):
    article = draft(published_at=timezone.now() + timedelta(days=1))
    response = logged_in(writer).post(change_url(article), form_data(article, **{action: "1"}))
    assert response.status_code == 200
    assert "Only editors can publish" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_writer_cannot_set_status_through_the_form(writer):
    article = draft()
    logged_in(writer).post(change_url(article), form_data(article, status="published"))
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_writer_cannot_change_a_published_article(writer):
    article = make_article(title="Live one")
    client = logged_in(writer)
    response = client.post(change_url(article), form_data(article, title="Vandalised"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Live one"
    assert client.get(change_url(article)).status_code == 200  # read-only view


def test_services_enforce_the_permission_themselves(writer):
    article = draft()
    with pytest.raises(PermissionDenied):
        article_publish(article=article, by=writer)
    with pytest.raises(PermissionDenied):
        article_unpublish(article=make_article(), by=writer)


# Workflow


def test_editor_publishes_now_and_it_is_live_on_site_and_api(editor, client, api_client):
    article = draft(slug="fresh")
    response = logged_in(editor).post(change_url(article), form_data(article, _publish_now="1"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_live and article.first_published_at == article.published_at
    assert client.get("/articles/fresh/").status_code == 200
    assert api_client.get("/api/v1/articles/fresh/").status_code == 200


def test_editor_schedules_and_the_article_goes_live_at_its_time(editor, client):
    at = (timezone.now() + timedelta(hours=5)).replace(microsecond=0)
    article = draft(slug="later")
    response = logged_in(editor).post(
        change_url(article),
        form_data(
            article,
            published_at_0=timezone.localtime(at).strftime("%Y-%m-%d"),
            published_at_1=timezone.localtime(at).strftime("%H:%M:%S"),
            _schedule="1",
        ),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.published_at == at
    assert client.get("/articles/later/").status_code == 404
    with time_machine.travel(at + timedelta(seconds=1)):
        assert client.get("/articles/later/").status_code == 200


def test_scheduling_in_the_past_is_refused_with_a_form_error(editor):
    article = draft(published_at=timezone.now() - timedelta(hours=1))
    response = logged_in(editor).post(change_url(article), form_data(article, _schedule="1"))
    assert response.status_code == 200
    assert "choose a time in the future" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_unpublish_takes_the_article_off_the_site_and_api_at_once(editor, client, api_client):
    article = make_article(slug="gone")
    first = article.first_published_at
    response = logged_in(editor).post(change_url(article), form_data(article, _unpublish="1"))
    assert response.status_code == 302
    assert client.get("/articles/gone/").status_code == 404
    assert api_client.get("/api/v1/articles/gone/").status_code == 404
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.first_published_at == first


def test_workflow_buttons_match_the_role(writer, editor):
    article = draft()
    writer_page = logged_in(writer).get(change_url(article)).content.decode()
    editor_page = logged_in(editor).get(change_url(article)).content.decode()
    assert 'name="_submit_review"' in writer_page and 'name="_publish_now"' not in writer_page
    assert 'name="_publish_now"' in editor_page and 'name="_schedule"' in editor_page


def test_change_list_shows_state_badges_and_filters_by_state(editor):
    make_article(title="Live piece")
    make_article(title="Scheduled piece", published_at=timezone.now() + timedelta(days=1))
    draft(title="Draft piece")
    draft(title="Review piece", status=Article.Status.REVIEW)
    client = logged_in(editor)
    page = client.get("/admin/articles/article/").content.decode()
    for badge in ["state--live", "state--scheduled", "state--draft", "state--review"]:
        assert badge in page
    assert "Scheduled for" in page
    for state, title in [("live", "Live piece"), ("scheduled", "Scheduled piece")]:
        response = client.get(f"/admin/articles/article/?state={state}")
        titles = [a.title for a in response.context["cl"].result_list]
        assert titles == [title]


def test_bulk_actions_respect_permissions(writer, editor):
    articles = [draft(), draft()]
    ids = [a.pk for a in articles]
    post = {"action": "publish_selected", "_selected_action": ids}
    logged_in(writer).post("/admin/articles/article/", post)
    assert not Article.objects.live().exists()
    logged_in(editor).post("/admin/articles/article/", post)
    assert Article.objects.live().count() == 2
    logged_in(editor).post(
        "/admin/articles/article/", {"action": "feature_selected", "_selected_action": ids}
    )
    assert Article.objects.filter(is_featured=True).count() == 2
    logged_in(editor).post(
        "/admin/articles/article/", {"action": "unpublish_selected", "_selected_action": ids}
    )
    assert not Article.objects.live().exists()


def test_authors_default_to_the_writers_own_profile(writer):
    profile = make_author(user=writer)
    response = logged_in(writer).get("/admin/articles/article/add/")
    assert response.context["adminform"].form.initial["authors"] == [profile.pk]


def test_view_on_site_only_for_live_articles(editor):
    client = logged_in(editor)
    assert "View on site" in client.get(change_url(make_article())).content.decode()
    assert "View on site" not in client.get(change_url(draft())).content.decode()


# Preview


def test_admin_preview_renders_a_draft_like_the_public_page_with_a_banner(writer):
    article = draft(title="Unreleased", body="<h2>Inside</h2>")
    article.tags.add("Harbor Fees")
    response = logged_in(writer).get(f"/admin/articles/article/{article.pk}/preview/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Unreleased</h1>" in html and "<h2>Inside</h2>" in html
    assert '<a class="tag" href="/tags/harbor-fees/">Harbor Fees</a>' in html
    assert "preview-banner" in html and "/preview/" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert 'content="noindex, nofollow"' in html


def test_admin_preview_needs_a_staff_login(client):
    response = client.get(f"/admin/articles/article/{draft().pk}/preview/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_share_link_opens_the_preview_without_login_until_it_expires(client):
    article = draft(title="Shared draft")
    url = f"/preview/{make_preview_token(article)}/"
    assert b"Shared draft" in client.get(url).content
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "x" + t, lambda t: "junk"])
def test_tampered_share_links_answer_404(client, mangle):
    token = make_preview_token(draft())
    assert client.get(f"/preview/{mangle(token)}/").status_code == 404


def test_version_pinned_share_link_stops_after_the_next_save(client):
    article = draft()
    url = f"/preview/{make_preview_token(article, pin_version=True)}/"
    assert client.get(url).status_code == 200
    article.title = "Edited"
    article.save()
    assert client.get(url).status_code == 404


def test_share_link_of_a_scheduled_article_stops_when_it_is_unpublished(client, editor):
    article = make_article(published_at=timezone.now() + timedelta(days=1))
    url = f"/preview/{make_preview_token(article)}/"
    assert client.get(url).status_code == 200
    article_unpublish(article=article, by=editor)
    assert client.get(url).status_code == 404


# No lost updates


def test_stale_save_is_refused_naming_who_changed_it_and_nothing_is_lost(editor, django_user_model):
    other = user_in("Editors", django_user_model, "olga")
    article = draft(title="Original", summary="Original summary")
    first, second = logged_in(editor), logged_in(other)
    stale = form_data(article)  # both opened version 1

    assert (
        second.post(change_url(article), {**stale, "summary": "Olga's summary"}).status_code == 302
    )
    response = first.post(change_url(article), {**stale, "title": "Eddie's title"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "olga saved this article" in html and "summary" in html
    assert "Eddie&#x27;s title" in html or "Eddie's title" in html  # still in the form
    article.refresh_from_db()
    assert (article.title, article.summary) == ("Original", "Olga's summary")
    assert article.version == 2


def test_the_version_check_is_in_the_update_itself():
    article = draft()
    Article.objects.get(pk=article.pk).save()  # someone else saved: version 2
    article.title = "Mine"
    with pytest.raises(ArticleConflict):
        article.save(expected_version=1)
    assert Article.objects.get(pk=article.pk).title != "Mine"


# Revisions


def test_every_save_keeps_a_revision_with_who_and_what(editor):
    article = draft(title="One")
    client = logged_in(editor)
    client.post(change_url(article), form_data(article, title="Two"))
    article.refresh_from_db()
    latest = article.history.first()
    assert latest.title == "Two" and latest.history_user == editor
    page = client.get(f"/admin/articles/article/{article.pk}/history/").content.decode()
    assert "eddie" in page and "One" in page and "Two" in page


def test_restoring_a_revision_creates_a_new_one(editor):
    article = draft(title="One")
    client = logged_in(editor)
    client.post(change_url(article), form_data(article, title="Two"))
    article.refresh_from_db()
    first = article.history.order_by("history_date").first()
    count = article.history.count()
    response = client.post(
        f"/admin/articles/article/{article.pk}/history/{first.history_id}/",
        form_data(first.instance, expected_version=first.version),
    )
    assert response.status_code == 302, response.content[:2000]
    article.refresh_from_db()
    assert article.title == "One"
    assert article.history.count() == count + 1


# Slugs


def test_new_article_cannot_take_an_old_slug_without_saying_so(editor):
    moved = make_article(slug="old-address")
    moved.slug = "new-address"
    moved.save()
    client = logged_in(editor)
    article = draft(slug="placeholder")
    response = client.post(change_url(article), form_data(article, slug="old-address"))
    assert response.status_code == 200 and "take over this address" in response.content.decode()
    response = client.post(
        change_url(article), form_data(article, slug="old-address", take_over_slug="on")
    )
    assert response.status_code == 302
    assert not ArticleRedirect.objects.filter(old_slug="old-address").exists()


# Images


def image_upload(fmt="PNG", size=(32, 18), name=None, mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format=fmt)
    return SimpleUploadedFile(name or f"x.{fmt.lower()}", buffer.getvalue())


def polyglot(fmt, markup):
    """A real, decodable image with markup appended: valid to Pillow, dangerous to sniffers."""
    upload = image_upload(fmt)
    return SimpleUploadedFile(f"x.{fmt.lower()}", upload.read() + markup)


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("x.jpg", b"not an image at all"), "valid"),
        (SimpleUploadedFile("x.jpg", b"<html><script>alert(1)</script></html>"), "valid"),
        (SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)></svg>"), "valid"),
        (polyglot("PNG", b"<script>alert(document.domain)</script>"), "HTML or script"),
        (polyglot("JPEG", b"<?php system($_GET['c']); ?>"), "HTML or script"),
        (polyglot("WEBP", b"<!DOCTYPE html><body onload=alert(1)>"), "HTML or script"),
        (SimpleUploadedFile("x.jpg", b""), "empty"),
        (image_upload("GIF"), "JPEG, PNG or WebP"),
        (image_upload("PNG", (8000, 6000), mode="1"), "megapixels"),
        (image_upload("PNG", (20000, 20000), mode="1"), ""),
    ],
    ids=[
        "text",
        "html",
        "svg",
        "png-script-polyglot",
        "jpeg-php-polyglot",
        "webp-html-polyglot",
        "empty",
        "gif",
        "too-many-pixels",
        "decompression-bomb",
    ],
)
def test_bad_hero_uploads_are_refused_with_a_form_error(editor, upload, message):
    article = draft()
    response = logged_in(editor).post(
        change_url(article), form_data(article, hero_image=upload, hero_alt="Alt")
    )
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors.get("hero_image"))
    assert errors and message in errors
    article.refresh_from_db()
    assert not article.hero_image


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_good_hero_uploads_are_accepted(editor, fmt):
    article = draft()
    response = logged_in(editor).post(
        change_url(article), form_data(article, hero_image=image_upload(fmt), hero_alt="Alt")
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.hero_width == 32


def test_alt_text_is_required_with_an_image(editor):
    article = draft()
    response = logged_in(editor).post(
        change_url(article), form_data(article, hero_image=image_upload(), hero_alt="")
    )
    assert response.status_code == 200
    assert "hero_alt" in response.context["adminform"].form.errors


def test_upload_names_cannot_traverse_paths(editor):
    article = draft()
    logged_in(editor).post(
        change_url(article),
        form_data(article, hero_image=image_upload(name="../../etc/evil.png"), hero_alt="Alt"),
    )
    article.refresh_from_db()
    assert ".." not in article.hero_image.name and article.hero_image.name.startswith("heroes/")


def test_rich_text_editor_is_on_the_body_field(editor):
    html = logged_in(editor).get("/admin/articles/article/add/").content.decode()
    assert "data-django-prose-editor" in html
    assert "django_prose_editor/editor.js" in html


def test_tag_suggestions_complete_the_word_being_typed(writer, client):
    draft(tags=["energy", "economy", "ports"])
    response = logged_in(writer).get("/admin/articles/article/tag-suggestions/", {"q": "e"})
    assert response.json() == {"tags": ["economy", "energy"]}
    assert logged_in(writer).get("/admin/articles/article/tag-suggestions/").json() == {"tags": []}
    assert client.get("/admin/articles/article/tag-suggestions/?q=e").status_code == 302
    form = logged_in(writer).get("/admin/articles/article/add/").content.decode()
    assert 'data-suggest-url="/admin/articles/article/tag-suggestions/"' in form
