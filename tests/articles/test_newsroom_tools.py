"""A newsroom's own tools: corrections and updates, live coverage, embargoed copy for partners."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article, Correction, LiveEntry
from caching.freshness import read_snapshot
from partners.models import EmbargoFetch, PartnerKey
from tests.articles.test_editorial import form_data as article_form
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db

HOSTILE = '<p>Fixed <script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a></p>'


def staff(django_user_model, username, group):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def editor(django_user_model):
    return staff(django_user_model, "eddie", "Editors")


@pytest.fixture
def writer(django_user_model):
    return staff(django_user_model, "wendy", "Writers")


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def correction_rows(*rows, initial=0):
    data = {"corrections-TOTAL_FORMS": str(len(rows)), "corrections-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"corrections-{index}-{name}": value for name, value in row.items()})
    return data


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


# Corrections and updates


def test_an_editor_adds_a_correction_from_the_article_form(editor, client, api_client):
    user, admin = editor
    article = make_article(slug="story", tags=["economy"])
    at = timezone.localtime() - timedelta(minutes=5)
    response = admin.post(
        change_url(article),
        article_form(
            article,
            **correction_rows(
                {
                    "kind": "correction",
                    "text": "An earlier version gave the wrong date.",
                    "at_0": at.strftime("%Y-%m-%d"),
                    "at_1": at.strftime("%H:%M:%S"),
                }
            ),
        ),
    )
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    note = article.corrections.get()
    assert note.created_by == user and note.history.get().history_user == user

    html = client.get("/articles/story/").content.decode()
    assert "Corrections and updates" in html
    assert (
        "<strong>Correction</strong>" in html and "An earlier version gave the wrong date." in html
    )
    assert f'Updated <time datetime="{note.at.isoformat(timespec="seconds")}' in html
    news = json_ld(html)[0]
    assert news["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "An earlier version gave the wrong date.",
            "datePublished": note.at.isoformat(),
        }
    ]
    detail = api_client.get("/api/v1/articles/story/").json()
    assert detail["corrections"] == [
        {
            "kind": "correction",
            "text_html": "An earlier version gave the wrong date.",
            "at": note.at.isoformat().replace("+00:00", "Z"),
        }
    ]


def test_notes_show_newest_first_and_a_clarification_moves_no_update_time(client, article):
    now = timezone.now()
    Correction.objects.create(
        article=article, kind="clarification", text="Older.", at=now - timedelta(hours=2)
    )
    Correction.objects.create(
        article=article, kind="update", text="Newer.", at=now - timedelta(hours=1)
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index("Newer.") < html.index("Older.")
    assert "<strong>Clarification</strong>" in html and "<strong>Update</strong>" in html
    assert "correction" not in json_ld(html)[0]  # only corrections are CorrectionComments

    Correction.objects.filter(kind="update").delete()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Updated <time" not in html  # a clarification alone is no update


def test_a_note_moves_the_article_in_feeds_and_the_changes_feed(client, api_client, article):
    before = timezone.now()
    Article.objects.filter(pk=article.pk).update(updated_at=before - timedelta(days=1))
    since = before.isoformat().replace("+00:00", "Z")
    changes = api_client.get("/api/v1/changes/", {"since": since}).json()["results"]
    assert changes == []
    Correction.objects.create(article=article, kind="update", text="Added the statement.")
    changes = api_client.get("/api/v1/changes/", {"since": since}).json()["results"]
    assert [c["slug"] for c in changes] == [article.slug]
    feed = client.get("/feed/").content.decode()
    article.refresh_from_db()
    assert f"<atom:updated>{article.updated_at.isoformat()}</atom:updated>" in feed


def test_a_correction_on_an_article_that_is_not_live_is_refused(category):
    for article in [
        make_article(category=category, status=Article.Status.DRAFT),
        make_article(category=category, published_at=timezone.now() + timedelta(days=1)),
        make_article(category=category, embargoed_until=timezone.now() + timedelta(days=1)),
    ]:
        with pytest.raises(ValidationError, match="published, live articles"):
            Correction(article=article, text="No.").full_clean()


def test_the_form_of_a_draft_has_no_corrections_and_a_forged_one_writes_nothing(editor):
    _, admin = editor
    article = make_article(status=Article.Status.DRAFT, published_at=timezone.now())
    assert "Corrections and updates" not in admin.get(change_url(article)).content.decode()
    forged = correction_rows(
        {"kind": "correction", "text": "Sneaky.", "at_0": "2026-01-01", "at_1": "10:00"}
    )
    admin.post(change_url(article), article_form(article, **forged))
    assert not Correction.objects.exists()


def test_note_html_is_sanitized_and_empty_text_refused(client, article):
    note = Correction.objects.create(article=article, text=HOSTILE)
    assert (
        "script" not in note.text and "onerror" not in note.text and "javascript" not in note.text
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "alert(" not in html
    with pytest.raises(ValidationError, match="Write the note"):
        Correction(article=article, text="<script>only()</script>").full_clean()


def test_only_editors_change_or_remove_notes_and_a_removal_is_recorded(editor, writer, article):
    note = Correction.objects.create(article=article, text="Wrong figure.")
    _, writer_client = writer
    # A published article's form is the editors' (and so are its notes): a writer only views.
    page = writer_client.get(change_url(article)).content.decode()
    assert "Wrong figure." in page and 'name="corrections-0-text"' not in page
    assert writer_client.post(change_url(article), article_form(article)).status_code == 403
    assert (
        writer_client.post(
            f"/admin/articles/correction/{note.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert Correction.objects.filter(pk=note.pk).exists()

    user, admin = editor
    at = timezone.localtime(note.at)
    removal = correction_rows(
        {
            "id": note.pk,
            "article": article.pk,
            "kind": "correction",
            "text": note.text,
            "at_0": at.strftime("%Y-%m-%d"),
            "at_1": at.strftime("%H:%M:%S"),
            "DELETE": "on",
        },
        initial=1,
    )
    assert admin.post(change_url(article), article_form(article, **removal)).status_code == 302
    assert not Correction.objects.exists()
    history = Correction.history.filter(id=note.pk).order_by("history_date")
    assert [record.history_type for record in history] == ["+", "-"]
    assert history.last().history_user == user


def test_the_corrections_page_lists_corrections_of_live_articles(client, category):
    shown = make_article(title="Shown story", category=category)
    withdrawn = make_article(title="Withdrawn story", category=category)
    Correction.objects.create(article=shown, text="Shown correction.")
    Correction.objects.create(article=shown, kind="update", text="An update is not listed.")
    Correction.objects.create(article=withdrawn, text="Withdrawn correction.")
    withdrawn.status = Article.Status.DRAFT
    withdrawn.save()
    response = client.get("/corrections/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Shown correction." in html and 'href="/articles/' + shown.slug + '/"' in html
    assert "An update is not listed." not in html and "Withdrawn" not in html
    assert client.get("/corrections/?page=2").status_code == 404
    assert client.get("/corrections/?page=abc").status_code == 404
    assert "/corrections/" in client.get("/sitemap-pages.xml").content.decode()
    assert "sitemap-pages.xml" in client.get("/sitemap.xml").content.decode()


def test_the_corrections_page_query_count(client, category, django_assert_num_queries):
    for number in range(5):
        Correction.objects.create(article=make_article(category=category), text=f"Note {number}.")
    # freshness snapshot, the page of notes with their articles, category menu
    with django_assert_num_queries(3):
        assert client.get("/corrections/").status_code == 200


# Live coverage


def live_article(**overrides):
    overrides.setdefault("live_coverage_started_at", timezone.now() - timedelta(hours=1))
    overrides.setdefault("slug", "live-story")
    return make_article(**overrides)


def post_entry(article, text, *, key_point=False, minutes_ago=0, author=None):
    return LiveEntry.objects.create(
        article=article,
        body=f"<p>{text}</p>",
        is_key_point=key_point,
        author=author,
        posted_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_live_coverage_page_shows_entries_newest_first_with_key_points_on_top(client, category):
    article = live_article(category=category)
    author = make_author(name="Reporter One", slug="reporter-one")
    post_entry(article, "First entry.", minutes_ago=30, author=author)
    post_entry(article, "Key development.", key_point=True, minutes_ago=20)
    newest = post_entry(article, "Newest entry.", minutes_ago=10)
    html = client.get("/articles/live-story/").content.decode()
    assert html.index('id="key-points-heading"') < html.index('<ol class="live-feed">')
    feed = html[html.index('<ol class="live-feed">') :]
    assert feed.index("Newest entry.") < feed.index("Key development.") < feed.index("First entry.")
    assert "Reporter One" in feed
    assert (
        f'data-after="{newest.pk}"' in html
        and 'data-live-poll="/articles/live-story/live/"' in html
    )
    assert html.count('<span class="label label--live">Live</span>') == 2  # header and section
    data = json_ld(html)[0]
    assert data["@type"] == "LiveBlogPosting"
    assert data["coverageStartTime"] == article.live_coverage_started_at.isoformat()
    assert "coverageEndTime" not in data
    assert [update["articleBody"] for update in data["liveBlogUpdate"]] == [
        "Newest entry.",
        "Key development.",
        "First entry.",
    ]
    # Its card says Live too.
    home = client.get("/").content.decode()
    card = home[home.index("Live</span>") - 200 : home.index("Live</span>") + 400]
    assert article.title in card


def test_ended_coverage_keeps_its_entries_and_drops_the_live_label(client, category):
    article = live_article(
        category=category, live_coverage_ended_at=timezone.now() - timedelta(minutes=1)
    )
    post_entry(article, "Last word.")
    html = client.get("/articles/live-story/").content.decode()
    assert "Last word." in html and "Ended <time" in html
    assert "label--live" not in html and "data-live-poll" not in html
    assert json_ld(html)[0]["coverageEndTime"] == article.live_coverage_ended_at.isoformat()


def test_poll_endpoint_returns_newer_entries_with_etag_and_moves_with_each_entry(client, category):
    article = live_article(category=category)
    first = post_entry(article, "One.", minutes_ago=5)
    url = f"/articles/live-story/live/?after={first.pk}"
    response = client.get(url)
    assert response.status_code == 200 and response.json() == {"live": True, "entries": []}
    etag = response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    second = post_entry(article, "Two <strong>bold</strong>.")
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    [entry] = response.json()["entries"]
    assert (
        entry["id"] == second.pk
        and 'id="entry-' in entry["html"]
        and "<strong>bold</strong>" in entry["html"]
    )
    # The whole page moved too.
    assert "Two <strong>bold</strong>." in client.get("/articles/live-story/").content.decode()


@pytest.mark.parametrize("after", ["abc", "-1", "1.5", "9" * 40])
def test_poll_endpoint_refuses_a_malformed_after(client, category, after):
    live_article(category=category)
    response = client.get("/articles/live-story/live/", {"after": after})
    assert response.status_code == 400 and "after" in response.json()["detail"]


def test_poll_endpoint_is_404_for_articles_without_running_coverage(client, category):
    make_article(slug="plain", category=category)
    live_article(
        slug="draft-live",
        category=category,
        status=Article.Status.DRAFT,
        published_at=timezone.now(),
    )
    assert client.get("/articles/plain/live/").status_code == 404
    assert client.get("/articles/draft-live/live/").status_code == 404
    assert client.get("/articles/nope/live/").status_code == 404


def test_poll_endpoint_query_count(client, category, django_assert_num_queries):
    article = live_article(category=category)
    for number in range(5):
        post_entry(article, f"Entry {number}.", author=make_author())
    # snapshot, the article, its newer entries with their authors
    with django_assert_num_queries(3):
        assert len(client.get("/articles/live-story/live/?after=0").json()["entries"]) == 5


def test_live_article_page_query_count(client, category, django_assert_num_queries):
    from tests.public.test_views import ARTICLE_QUERIES

    article = live_article(category=category)
    Correction.objects.create(article=article, text="A fix.")
    for number in range(5):
        post_entry(article, f"Entry {number}.", author=make_author())
    # + the notes and the entries with their authors
    with django_assert_num_queries(ARTICLE_QUERIES + 2):
        assert client.get("/articles/live-story/").status_code == 200


def test_an_entry_needs_a_live_article_whose_coverage_runs(category):
    for article in [
        make_article(category=category),  # no coverage
        live_article(slug="ended", category=category, live_coverage_ended_at=timezone.now()),
        live_article(
            slug="draft", category=category, status=Article.Status.DRAFT, published_at=None
        ),
        live_article(
            slug="later",
            category=category,
            live_coverage_started_at=timezone.now() + timedelta(hours=1),
        ),
    ]:
        with pytest.raises(ValidationError, match="live coverage is running"):
            LiveEntry(article=article, body="<p>Hello</p>").full_clean()


def test_coverage_cannot_end_before_it_starts(category):
    article = live_article(
        category=category, live_coverage_ended_at=timezone.now() - timedelta(hours=2)
    )
    with pytest.raises(ValidationError, match="must follow its start"):
        article.full_clean()
    article = make_article(category=category, live_coverage_ended_at=timezone.now())
    with pytest.raises(ValidationError, match="can't end before it starts"):
        article.full_clean()


def test_entry_html_is_sanitized(client, category):
    article = live_article(category=category)
    entry = LiveEntry.objects.create(article=article, body=HOSTILE)
    assert "script" not in entry.body and "onerror" not in entry.body
    assert "alert(" not in client.get("/articles/live-story/").content.decode()
    with pytest.raises(ValidationError, match="Write the entry"):
        LiveEntry(article=article, body="<script>x()</script>").full_clean()


def test_posting_an_entry_from_the_admin_comes_back_for_the_next(writer, category):
    user, admin = writer
    author = make_author(name="Wendy", slug="wendy", user=user)
    article = live_article(category=category)
    other = make_article(slug="not-live-coverage", category=category)
    form = admin.get(f"/admin/articles/liveentry/add/?article={article.pk}").content.decode()
    assert f'<option value="{article.pk}" selected>' in form
    assert f'<option value="{other.pk}"' not in form  # only running coverage is offered
    assert f'<option value="{author.pk}" selected>' in form

    now = timezone.localtime()
    response = admin.post(
        "/admin/articles/liveentry/add/",
        {
            "article": article.pk,
            "body": "<p>Breaking: the vote passed.</p>",
            "is_key_point": "on",
            "author": author.pk,
            "posted_at_0": now.strftime("%Y-%m-%d"),
            "posted_at_1": now.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/articles/liveentry/add/?article={article.pk}"
    entry = LiveEntry.objects.get()
    assert entry.is_key_point and entry.history.get().history_user == user

    forged = admin.post(
        "/admin/articles/liveentry/add/",
        {
            "article": other.pk,
            "body": "<p>Nope.</p>",
            "posted_at_0": now.strftime("%Y-%m-%d"),
            "posted_at_1": "10:00:00",
        },
    )
    assert forged.status_code == 200 and LiveEntry.objects.count() == 1


def test_edits_and_removals_of_entries_are_recorded_and_an_edit_is_shown(client, category):
    article = live_article(category=category)
    entry = post_entry(article, "Tyop.")
    assert "Edited" not in client.get("/articles/live-story/").content.decode()
    entry.body = "<p>Typo.</p>"
    entry.save()
    html = client.get("/articles/live-story/").content.decode()
    assert (
        "Typo." in html
        and f'Edited <time datetime="{entry.edited_at.isoformat(timespec="seconds")}' in html
    )
    entry.delete()
    assert [r.history_type for r in LiveEntry.history.order_by("history_date")] == ["+", "~", "-"]


def test_api_detail_has_entries_and_since_filters_them(api_client, category):
    article = live_article(category=category)
    old = post_entry(article, "Old.", minutes_ago=30)
    LiveEntry.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(minutes=30))
    post_entry(article, "New.", key_point=True)
    detail = api_client.get("/api/v1/articles/live-story/").json()
    assert [e["body_html"] for e in detail["live_entries"]] == ["<p>New.</p>", "<p>Old.</p>"]
    assert (
        detail["live_coverage"]["is_live"] is True and detail["live_coverage"]["ended_at"] is None
    )
    since = (timezone.now() - timedelta(minutes=10)).isoformat().replace("+00:00", "Z")
    recent = api_client.get("/api/v1/articles/live-story/", {"since": since}).json()
    assert [e["body_html"] for e in recent["live_entries"]] == ["<p>New.</p>"]
    assert recent["live_entries"][0]["is_key_point"] is True
    bad = api_client.get("/api/v1/articles/live-story/", {"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.json()["errors"]
    listed = api_client.get("/api/v1/articles/").json()["results"][0]
    assert listed["live_coverage"]["started_at"]


def test_a_new_entry_reaches_the_changes_feed(api_client, category):
    article = live_article(category=category)
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() - timedelta(days=1))
    since = (timezone.now() - timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    assert api_client.get("/api/v1/changes/", {"since": since}).json()["results"] == []
    post_entry(article, "Moving.")
    changes = api_client.get("/api/v1/changes/", {"since": since}).json()["results"]
    assert [c["slug"] for c in changes] == ["live-story"]


# Embargoed copy


@pytest.fixture
def embargoed(category):
    return make_article(
        slug="under-embargo",
        title="Embargoed zqembargo",
        category=category,
        published_at=timezone.now() - timedelta(hours=1),
        embargoed_until=timezone.now() + timedelta(hours=2),
    )


@pytest.fixture
def embargo_client(db):
    key, raw = PartnerKey.objects.create_key(name="wire partner", can_see_embargoed=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    client.key = key
    return client


def test_a_permitted_key_sees_embargoed_copy_and_each_fetch_is_recorded(embargo_client, embargoed):
    listed = embargo_client.get("/api/v1/articles/").json()["results"]
    assert [item["slug"] for item in listed] == ["under-embargo"]
    assert listed[0]["embargoed_until"] == embargoed.embargoed_until.isoformat().replace(
        "+00:00", "Z"
    )
    detail = embargo_client.get("/api/v1/articles/under-embargo/")
    assert detail.status_code == 200 and detail.json()["embargoed_until"]
    fetches = EmbargoFetch.objects.filter(article=embargoed, key=embargo_client.key)
    assert fetches.count() == 2


def test_other_keys_and_the_public_see_nothing_before_the_embargo_lifts(
    client, api_client, embargo_client, embargoed, time_machine
):
    # The permitted key asks first: nothing it got may be served to anyone else.
    assert embargo_client.get("/api/v1/articles/").json()["results"]
    assert api_client.get("/api/v1/articles/").json()["results"] == []
    assert api_client.get("/api/v1/articles/under-embargo/").status_code == 404
    assert api_client.get("/api/v1/categories/markets/").status_code == 404  # no live article
    assert client.get("/articles/under-embargo/").status_code == 404
    assert "zqembargo" not in client.get("/").content.decode().lower()
    assert "zqembargo" not in client.get("/feed/").content.decode().lower()
    # A forged permission is an unknown parameter, not a way in.
    forged = api_client.get("/api/v1/articles/", {"embargoed": "true"})
    assert forged.status_code == 400
    assert (
        not EmbargoFetch.objects.exists()
        or not EmbargoFetch.objects.exclude(key=embargo_client.key).exists()
    )

    time_machine.move_to(embargoed.embargoed_until + timedelta(seconds=1))
    assert [a["slug"] for a in api_client.get("/api/v1/articles/").json()["results"]] == [
        "under-embargo"
    ]
    assert api_client.get("/api/v1/articles/under-embargo/").json()["embargoed_until"] is None
    assert client.get("/articles/under-embargo/").status_code == 200
    fetched_before = EmbargoFetch.objects.count()
    embargo_client.get("/api/v1/articles/under-embargo/")
    assert EmbargoFetch.objects.count() == fetched_before  # no longer embargoed: not recorded


def test_the_freshness_snapshot_expires_when_an_embargo_lifts(embargoed):
    snapshot = read_snapshot()
    remaining = (embargoed.embargoed_until - timezone.now()).total_seconds()
    assert snapshot.ttl <= remaining + 1


def test_only_editors_set_an_embargo_and_the_admin_shows_its_record(
    editor, writer, embargo_client, embargoed
):
    _, writer_client = writer
    draft = make_article(
        status=Article.Status.DRAFT, category=embargoed.category, published_at=timezone.now()
    )
    page = writer_client.get(change_url(draft)).content.decode()
    assert 'name="embargoed_until_0"' not in page  # read-only for writers
    later = timezone.localtime() + timedelta(days=9)
    writer_client.post(
        change_url(draft),
        article_form(
            draft, embargoed_until_0=later.strftime("%Y-%m-%d"), embargoed_until_1="10:00:00"
        ),
    )
    draft.refresh_from_db()
    assert draft.embargoed_until is None

    user, admin = editor
    until = timezone.localtime(embargoed.embargoed_until) + timedelta(hours=1)
    response = admin.post(
        change_url(embargoed),
        article_form(
            embargoed,
            embargoed_until_0=until.strftime("%Y-%m-%d"),
            embargoed_until_1=until.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302
    embargo_client.get("/api/v1/articles/under-embargo/")
    record = admin.get(change_url(embargoed)).content.decode()
    assert f"{user.username} set it to {until:%Y-%m-%d %H:%M}" in record
    assert "Fetched by key “wire partner”" in record


def test_the_key_permission_is_a_checkbox_in_the_admin(writer, django_user_model):
    _, writer_client = writer  # partner keys are the operator's, not the desk's
    assert writer_client.get("/admin/partners/partnerkey/add/").status_code == 403
    admin = Client()
    admin.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    assert (
        'name="can_see_embargoed"' in admin.get("/admin/partners/partnerkey/add/").content.decode()
    )


def test_demo_content_shows_all_three_tools(client, api_client):
    call_command("demo_content", verbosity=0)
    assert Correction.objects.filter(kind="correction").exists()
    assert Correction.objects.filter(kind="update").exists()
    live = Article.objects.exclude(live_coverage_started_at=None).get()
    assert live.is_live_coverage and live.live_entries.count() == 12
    assert live.live_entries.filter(is_key_point=True).count() == 2
    hidden = Article.objects.exclude(embargoed_until=None).get()
    assert hidden.is_under_embargo and not hidden.is_live
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert api_client.get(f"/api/v1/articles/{hidden.slug}/").status_code == 404
    assert client.get(live.get_absolute_url() + "live/?after=0").status_code == 200
    call_command("demo_content", verbosity=0)  # idempotent
    assert LiveEntry.objects.count() == 12 and Correction.objects.count() == 2
