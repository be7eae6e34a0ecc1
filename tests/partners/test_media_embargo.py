"""The embargo holds for media: an article's files (the original, its renditions, its live
entries' images) are served only while it is live, to staff, or with a signed URL that the API
gives keys with the embargoed-copy permission."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article, LiveEntry
from partners.models import PartnerKey
from tests.factories import hero_upload, make_article

pytestmark = pytest.mark.django_db


def files_of(article: Article) -> list[str]:
    """The addresses of an article's original and renditions, as pages and the API give them."""
    article.refresh_from_db()
    renditions = [row[2] for sizes in article.hero_renditions["formats"].values() for row in sizes]
    assert renditions, "the renditions were made with the save (no broker)"
    return [article.hero_image.url, *renditions]


def embargoed_article(hours: int = 2) -> Article:
    return make_article(
        slug="embargoed",
        hero_image=hero_upload(),
        hero_alt="A harbour",
        embargoed_until=timezone.now() + timedelta(hours=hours),
    )


def permitted_client() -> APIClient:
    _, key = PartnerKey.objects.create_key(name="wire", can_see_embargoed=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def test_an_embargoed_articles_files_answer_404_until_its_time_then_200(client):
    article = embargoed_article()
    addresses = files_of(article)
    missing = client.get("/media/heroes/never-uploaded.png").content
    for address in addresses:
        hidden = client.get(address)
        assert hidden.status_code == 404, address
        # Nothing tells that the file exists: the page is a missing name's, but for the name.
        assert hidden.content.replace(address.encode(), b"") == missing.replace(
            b"/media/heroes/never-uploaded.png", b""
        )
        assert "no-store" in hidden["Cache-Control"]
    with time_machine.travel(article.embargoed_until + timedelta(seconds=1)):
        for address in addresses:
            shown = client.get(address)
            assert shown.status_code == 200, address
            assert "public" in shown["Cache-Control"]
            assert shown["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_drafts_image_is_hidden_from_readers_and_shown_to_staff(client, staff_client):
    draft = make_article(status=Article.Status.DRAFT, hero_image=hero_upload(), hero_alt="A")
    for address in files_of(draft):
        assert client.__class__().get(address).status_code == 404
        seen = staff_client.get(address)
        assert seen.status_code == 200
        assert "private" in seen["Cache-Control"] and "no-store" in seen["Cache-Control"]


def test_unpublishing_hides_the_files_again(client):
    article = make_article(hero_image=hero_upload(), hero_alt="A")
    addresses = files_of(article)
    assert all(client.get(address).status_code == 200 for address in addresses)
    article.status = Article.Status.DRAFT
    article.save()
    assert all(client.get(address).status_code == 404 for address in addresses)


def test_a_replaced_image_is_no_longer_served(client):
    article = make_article(hero_image=hero_upload("first.png"), hero_alt="A")
    old = files_of(article)
    article.hero_image = hero_upload("second.png", size=(80, 40))
    article.save()
    assert [client.get(address).status_code for address in old] == [404] * len(old)
    assert all(client.get(address).status_code == 200 for address in files_of(article))


def test_a_live_entry_image_of_an_embargoed_article_is_hidden(client):
    article = embargoed_article()
    entry = LiveEntry.objects.create(
        article=article, body="<p>First.</p>", image=hero_upload("entry.png"), image_alt="A"
    )
    assert client.get(entry.image.url).status_code == 404
    with time_machine.travel(article.embargoed_until + timedelta(seconds=1)):
        assert client.get(entry.image.url).status_code == 200


def test_permitted_keys_get_signed_rendition_urls_that_expire(client):
    article = embargoed_article()
    item = permitted_client().get(f"/api/v1/articles/{article.slug}/").json()
    hero = item["hero_image"]
    original = article.hero_image.url
    assert original not in str(hero)  # renditions, never the uploaded original
    assert hero["url"] == [r["url"] for r in hero["renditions"] if r["format"] == "jpeg"][-1]
    for rendition in hero["renditions"]:
        address = urlsplit(rendition["url"])
        assert "access=" in address.query
        assert client.get(f"{address.path}?{address.query}").status_code == 200
        assert client.get(address.path).status_code == 404  # the signature is what opens it
    signed = urlsplit(hero["url"])
    other_file = f"{original}?{signed.query}"  # a signature opens only its own file
    assert client.get(other_file).status_code == 404
    assert client.get(f"{signed.path}?access=forged").status_code == 404
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert client.get(f"{signed.path}?{signed.query}").status_code == 404


def test_the_api_gives_live_articles_unsigned_renditions(api_client, client):
    article = make_article(hero_image=hero_upload(), hero_alt="A")
    hero = api_client.get(f"/api/v1/articles/{article.slug}/").json()["hero_image"]
    assert "access=" not in str(hero)
    assert {r["format"] for r in hero["renditions"]} == {"webp", "jpeg"}
    assert client.get(urlsplit(hero["url"]).path).status_code == 200


def test_the_api_gives_no_image_until_renditions_exist(api_client, settings):
    article = make_article(hero_image=hero_upload(), hero_alt="A")
    Article.objects.filter(pk=article.pk).update(hero_renditions={}, hero_digest="")
    assert api_client.get(f"/api/v1/articles/{article.slug}/").json()["hero_image"] is None


def test_files_nobody_shows_are_not_served(client):
    name = default_storage.save("heroes/orphan.png", hero_upload("orphan.png"))
    assert client.get(default_storage.url(name)).status_code == 404
    assert client.get("/media/../settings.py").status_code == 404
