"""A partner's mirror can never silently go wrong: random sequences of what a newsroom does
(publish, edit, retag, unpublish, delete, embargo, notes, renaming and deleting sections, tags
and authors), then a mirror kept from the changes feed (polled after every step) and another
kept from the webhooks (as a receiver gets them) must both equal a fresh walk of the API."""

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from taggit.models import Tag

import caching
from articles.models import Article, Author, Category, Correction
from articles.services import article_publish, article_unpublish
from partners import tasks
from partners.models import PartnerKey, WebhookEndpoint
from tests.factories import make_article
from tests.partners.test_webhooks import Receiver

pytestmark = pytest.mark.django_db

STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create live",
                "create draft",
                "edit",
                "publish",
                "unpublish",
                "delete",
                "retag",
                "embargo",
                "time passes",
                "note",
                "rename section",
                "rename tag",
                "rename author",
                "delete tag",
                "delete author",
            ]
        ),
        st.integers(min_value=0, max_value=50),
    ),
    min_size=1,
    max_size=15,
)
TAGS = ["rates", "world", "trade"]
STEPS_RUN: list[str] = []  # how many operations the examples ran (printed at the end)


class Newsroom:
    """The operations, on a small site of two sections, three tags and two authors."""

    def __init__(self, editor):
        self.editor = editor
        self.sections = [
            Category.objects.create(name=f"Section {n}", slug=f"section-{n}") for n in range(2)
        ]
        self.authors = [Author.objects.create(name=f"Writer {n}", slug=f"w-{n}") for n in range(2)]
        self.made = 0

    def pick(self, queryset, n):
        rows = list(queryset.order_by("pk"))
        return rows[n % len(rows)] if rows else None

    def run(self, operation: str, n: int, traveller) -> None:
        getattr(self, operation.replace(" ", "_"))(n, traveller)

    def create_live(self, n, _):
        self.made += 1
        make_article(
            slug=f"story-{self.made}",
            category=self.sections[n % 2],
            tags=TAGS[: 1 + n % 3],
            authors=[self.authors[n % len(self.authors)]] if self.authors else [],
        )

    def create_draft(self, n, _):
        self.made += 1
        make_article(slug=f"draft-{self.made}", status=Article.Status.DRAFT, tags=["rates"])

    def edit(self, n, _):
        article = self.pick(Article.objects.all(), n)
        if article:
            article.title = f"{article.title} (edited {n})"
            article.save()

    def publish(self, n, _):
        article = self.pick(Article.objects.exclude(status=Article.Status.PUBLISHED), n)
        if article:
            article_publish(article=article, by=self.editor)

    def unpublish(self, n, _):
        article = self.pick(Article.objects.filter(status=Article.Status.PUBLISHED), n)
        if article:
            article_unpublish(article=article, by=self.editor)

    def delete(self, n, _):
        article = self.pick(Article.objects.all(), n)
        if article:
            article.delete()

    def retag(self, n, _):
        # As the admin saves: the article, then its tags (the form's many-to-many data).
        article = self.pick(Article.objects.all(), n)
        if article:
            article.save()
            article.tags.set([TAGS[n % 3], f"extra-{n % 4}"])

    def embargo(self, n, _):
        article = self.pick(Article.objects.filter(status=Article.Status.PUBLISHED), n)
        if article:
            article.embargoed_until = timezone.now() + timedelta(minutes=30)
            article.save()

    def time_passes(self, n, traveller):
        # Past every embargo: what the timers or the sweep announce at its time.
        traveller.shift(timedelta(minutes=31))
        tasks.webhooks_sweep()

    def note(self, n, _):
        article = self.pick(Article.objects.live(), n)
        if article:
            Correction.objects.create(article=article, text=f"<p>A correction {n}.</p>")

    def rename_section(self, n, _):
        section = self.sections[n % 2]
        section.name = f"{section.name}!"
        section.save()

    def rename_tag(self, n, _):
        tag = self.pick(Tag.objects.all(), n)
        if tag:
            tag.name = f"{tag.name}+"
            tag.save()

    def rename_author(self, n, _):
        author = self.pick(Author.objects.all(), n)
        if author:
            author.name = f"{author.name}."
            author.save()

    def delete_tag(self, n, _):
        tag = self.pick(Tag.objects.all(), n)
        if tag:
            tag.delete()

    def delete_author(self, n, _):
        author = self.pick(Author.objects.all(), n)
        if author:
            self.authors.remove(author) if author in self.authors else None
            author.delete()


class FeedMirror:
    """What a partner keeps from /api/v1/changes/: since the newest changed_at it has seen."""

    def __init__(self, client, since):
        self.client, self.since, self.articles = client, since, {}

    def poll(self):
        url, params = "/api/v1/changes/", {"since": self.since, "page_size": 100}
        while url:
            body = self.client.get(url, params).json()
            for entry in body["results"]:
                apply(self.articles, entry)
                self.since = max(self.since, entry["changed_at"])
            url, params = body["next"], None


def apply(mirror: dict, change: dict) -> None:
    if change["change"] == "updated":
        mirror[change["id"]] = change["article"]
    else:
        mirror.pop(change["id"], None)


def walk(client) -> dict:
    found, url = {}, "/api/v1/articles/?page_size=100"
    while url:
        body = client.get(url).json()
        found.update({item["id"]: item for item in body["results"]})
        url = body["next"]
    return found


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_mirrors_from_the_feed_and_from_webhooks_equal_a_fresh_walk(
    steps, receiver, django_user_model, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on 127.0.0.1
    settings.SITE_URL = "http://testserver"  # webhooks' addresses as the API client sees them
    receiver.requests.clear()
    caching.reset()
    start = timezone.now()
    with time_machine.travel(start, tick=True) as traveller, transaction.atomic():
        editor = django_user_model.objects.create_superuser("ed", "ed@example.com", "pw")
        key, secret = PartnerKey.objects.create_key(name="mirror", requests_per_minute=10**6)
        WebhookEndpoint.objects.create(
            key=key, url=receiver.url, events=["published", "updated", "withdrawn", "deleted"]
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        newsroom = Newsroom(editor)
        feed = FeedMirror(client, (start - timedelta(seconds=1)).isoformat())
        for operation, n in steps:
            STEPS_RUN.append(operation)
            with django_capture_on_commit_callbacks(execute=True):
                newsroom.run(operation, n, traveller)
            feed.poll()
        from_webhooks: dict = {}
        for request in receiver.requests:
            apply(from_webhooks, json.loads(request["body"])["change"])
        fresh = walk(client)
        assert feed.articles == fresh, steps
        assert from_webhooks == fresh, steps
        transaction.set_rollback(True)  # the next example starts from an empty site
    caching.reset()


def test_the_property_ran_a_few_hundred_steps():
    """Runs after the property (file order): it must have exercised every operation."""
    if not STEPS_RUN:
        pytest.skip("the property test was not selected in this run")
    print(f"mirror property: {len(STEPS_RUN)} steps")
    assert len(STEPS_RUN) >= 200
    assert {"retag", "embargo", "time passes", "delete tag"} <= set(STEPS_RUN)
