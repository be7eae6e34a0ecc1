"""Most read: reads counted by a beacon in the cache, folded into the database once, ranked
over a rolling window, shown on /most-read/ (a minute at most), the pages' block and the API."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from articles.models import Article
from readership import counting
from readership.models import FoldedMinute, ReadCount
from readership.ranking import most_read
from tests.factories import make_article

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"
# A minute's start, far from any hour's end: the counts of a test fall in one hour.
START = datetime(2026, 12, 3, 10, 20, 10, tzinfo=UTC)


def read(client, article, *, address="203.0.113.7", agent=BROWSER, **headers):
    return client.post(
        reverse("readership:beacon", args=[article.pk]),
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=agent,
        **headers,
    )


def readers(client, article, count, *, first=1):
    for n in range(first, first + count):
        assert read(client, article, address=f"198.51.100.{n}").status_code == 204


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def three(db, clock):
    return [
        make_article(title=f"Story {n}", published_at=START - timedelta(hours=n)) for n in (1, 2, 3)
    ]


def test_a_read_counts_once_per_reader_and_robots_never(client, three, clock, monkeypatch):
    # A reader counts again after REPEAT_SECONDS; a second here (Redis expires on its own clock).
    monkeypatch.setattr(counting, "REPEAT_SECONDS", 1)
    story = three[0]
    assert read(client, story).status_code == 204
    assert read(client, story).status_code == 204  # a reload: the same answer, not counted
    assert read(client, story, address="203.0.113.8").status_code == 204
    assert (
        read(client, story, agent="Googlebot/2.1 (+http://www.google.com/bot.html)").status_code
        == 204
    )
    assert read(client, story, agent="").status_code == 204
    assert read(client, story, agent="Mozilla/5.0 HeadlessChrome/156.0").status_code == 204
    minute = int(START.timestamp() // 60)
    assert counting.counts_of_minute(minute) == {story.pk: 2}
    clock.shift(2)  # later than REPEAT_SECONDS, on the test's clock (local memory's) ...
    time.sleep(1.2)  # ... and on the shared cache's
    read(client, story)  # the same reader counts again
    assert counting.counts_of_minute(minute) == {story.pk: 3}


def test_the_beacon_sets_no_cookie_and_is_never_cached(client, three):
    response = read(client, three[0])
    assert response.status_code == 204
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_the_beacon_refuses_other_sites_and_other_methods(client, three):
    response = read(client, three[0], HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    assert response.json() == {"detail": "Reads are counted from this site's own pages."}
    assert counting.counts_of_minute(int(START.timestamp() // 60)) == {}
    assert client.get(reverse("readership:beacon", args=[three[0].pk])).status_code == 405
    assert client.post("/reads/not-a-number/").status_code == 404


def test_a_minute_is_folded_once_and_only_live_articles_count(client, three, clock):
    draft = make_article(status=Article.Status.DRAFT)
    readers(client, three[0], 3)
    readers(client, three[1], 1)
    readers(client, draft, 5)  # nobody can read a draft's page: a forged beacon
    assert counting.fold() == 0  # the minute has not ended
    clock.shift(52)  # 10:21:02, its minute ended two seconds ago
    assert counting.fold() == 0  # within its grace, late reads still join it
    clock.shift(counting.GRACE_SECONDS)
    assert counting.fold() == 1
    assert counting.fold() == 0  # folded once
    hour = START.replace(minute=0, second=0)
    assert dict(ReadCount.objects.values_list("article_id", "reads")) == {
        three[0].pk: 3,
        three[1].pk: 1,
    }
    assert set(ReadCount.objects.values_list("hour", flat=True)) == {hour}
    # The next minute's reads add to the hour's row.
    readers(client, three[0], 2, first=50)
    clock.shift(60)
    assert counting.fold() == 1
    assert ReadCount.objects.get(article=three[0]).reads == 5
    assert FoldedMinute.objects.count() == 2


def test_a_fold_record_keeps_a_minute_from_being_counted_twice(client, three, clock):
    readers(client, three[0], 2)
    minute = int(START.timestamp() // 60)
    FoldedMinute.objects.create(
        minute=counting.as_datetime(minute), cache_id=counting.this_cache_id()
    )
    clock.shift(70)
    assert counting.fold() == 0  # another process folded it already (its record says so)
    assert not ReadCount.objects.exists()


def test_the_ranking_sums_its_window_and_drops_what_stops_being_live(client, three, clock):
    old_hour = START.replace(minute=0, second=0) - timedelta(days=3)
    ReadCount.objects.create(article=three[2], hour=old_hour, reads=40)
    readers(client, three[0], 3)
    readers(client, three[1], 2)
    day = most_read("24h")
    assert [(item.article.title, item.reads) for item in day] == [("Story 1", 3), ("Story 2", 2)]
    week = most_read("7d")
    assert [(item.article.title, item.reads) for item in week] == [
        ("Story 3", 40),
        ("Story 1", 3),
        ("Story 2", 2),
    ]
    # Unpublished: gone from the ranking at once, within the same minute.
    withdrawn = Article.objects.get(pk=three[2].pk)
    withdrawn.status = Article.Status.DRAFT
    withdrawn.save()
    assert [item.article.title for item in most_read("7d")] == ["Story 1", "Story 2"]
    with pytest.raises(ValueError, match="24h, 7d"):
        most_read("1y")


def test_the_ranking_changes_at_most_once_a_minute(client, three, clock, django_assert_num_queries):
    readers(client, three[0], 1)
    assert [item.reads for item in most_read("24h")] == [1]
    readers(client, three[0], 5, first=20)
    with django_assert_num_queries(0):
        assert [item.reads for item in most_read("24h")] == [1]  # the same minute: kept
    clock.shift(60)
    assert [item.reads for item in most_read("24h")] == [6]


def test_old_counts_are_forgotten(three):
    now = START.timestamp()
    ReadCount.objects.create(article=three[0], hour=START - timedelta(days=9), reads=1)
    ReadCount.objects.create(article=three[0], hour=START - timedelta(days=6), reads=1)
    assert counting.forget_before(now) == 1
    assert ReadCount.objects.count() == 1


def test_the_most_read_page_follows_the_minute_and_is_cached_until_it_ends(
    client, three, clock, django_assert_num_queries
):
    readers(client, three[1], 2)
    first = client.get("/most-read/")
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    assert not first.cookies
    page = first.content.decode()
    assert page.index("Story 2") < page.index("Last 7 days")
    assert first["Cache-Control"] == "public, max-age=50, s-maxage=50"
    clock.shift(20)
    readers(client, three[0], 5, first=30)
    with django_assert_num_queries(0):
        again = client.get("/most-read/")
    assert again["X-Cache"] == "hit"
    assert again.content == first.content
    assert again["Cache-Control"] == "public, max-age=30, s-maxage=30"
    clock.shift(31)  # the next minute: its ranking
    fresh = client.get("/most-read/")
    assert fresh["X-Cache"] == "miss"
    body = fresh.content.decode()
    assert body.index("Story 1") < body.index("Story 2")


def test_an_empty_ranking_says_so(client, three):
    response = client.get("/most-read/")
    assert response.content.decode().count("Nothing read yet in this time.") == 2


def test_reads_leave_article_pages_cached(client, three):
    url = three[0].get_absolute_url()
    first = client.get(url)
    assert f'data-read-beacon="/reads/{three[0].pk}/"' in first.content.decode()
    assert 'data-most-read="/most-read/"' in first.content.decode()
    readers(client, three[0], 10)
    again = client.get(url)
    assert again["X-Cache"] == "hit"
    assert again["ETag"] == first["ETag"]
    assert again.content == first.content
    home = client.get("/")
    assert 'data-most-read="/most-read/"' in home.content.decode()


def test_the_api_gives_the_ranking_with_reads(api_client, client, three, django_assert_num_queries):
    readers(client, three[1], 4)
    readers(client, three[2], 1)
    response = api_client.get("/api/v1/most-read/")
    assert response.status_code == 200
    data = response.json()
    assert data["window"] == "24h"
    assert [(row["title"], row["reads"]) for row in data["results"]] == [
        ("Story 2", 4),
        ("Story 3", 1),
    ]
    assert data["results"][0]["url"].endswith(three[1].get_absolute_url())
    assert {"tags", "authors", "category", "hero_image"} <= set(data["results"][0])
    assert api_client.get("/api/v1/most-read/?window=7d").json()["window"] == "7d"
    with django_assert_num_queries(2):  # the key and the ranking are kept: rows, labels
        api_client.get("/api/v1/most-read/")


@pytest.mark.parametrize(
    "query, problem",
    [
        ("window=1y", {"window": ["One of: 24h, 7d."]}),
        ("window=", {"window": ["Empty value: give a value or leave it out."]}),
        ("ordering=-reads", {"ordering": ["Unknown parameter. Accepted parameters: window."]}),
    ],
)
def test_the_api_refuses_what_it_does_not_know(api_client, three, query, problem):
    response = api_client.get(f"/api/v1/most-read/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"] == problem


def test_the_api_needs_a_key(client, three):
    assert client.get("/api/v1/most-read/").status_code in (401, 403)


def test_the_schema_documents_most_read(client, db):
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/most-read/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["window"]
    assert "reads" in str(schema["components"]["schemas"]["MostRead"])


def test_the_hours_fold_forgets_counts_older_than_the_longest_window(client, three, clock):
    ReadCount.objects.create(article=three[0], hour=START - timedelta(days=9), reads=7)
    clock.move_to(START.replace(minute=0, second=10) + timedelta(hours=1))  # 11:00:10
    readers(client, three[0], 1)
    clock.shift(60)
    assert counting.fold() == 1
    assert list(ReadCount.objects.values_list("reads", flat=True)) == [1]


def test_the_task_folds_every_minute(client, three, clock, settings):
    from readership.tasks import fold_reads

    assert settings.CELERY_BEAT_SCHEDULE["fold-reads"] == {
        "task": "readership.tasks.fold_reads",
        "schedule": 60.0,
    }
    readers(client, three[0], 2)
    clock.shift(60)
    assert fold_reads() == 1
    assert ReadCount.objects.get().reads == 2
