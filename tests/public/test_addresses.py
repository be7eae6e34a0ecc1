"""Every address the site prints is built by reverse()/url(): mounted under a prefix (/news/),
every internal link of every public page, feed and sitemap still opens."""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

LINK = re.compile(r'(?:href|src|action)="([^"#]+)"|<(?:loc|link)>([^<]+)</(?:loc|link)>')
# Files are served by the web server or whitenoise under their own settings (STATIC_URL,
# MEDIA_URL), not by the URLconf; the admin and the API need a login or a key.
NOT_PAGES = ("/static/", "/media/", "/news/admin/", "/news/api/v1/articles", "/news/api/v1/c")


def internal_links(body: str, base: str) -> set[str]:
    found = set()
    for match in LINK.finditer(body):
        address = (match[1] or match[2]).replace("&amp;", "&").strip()
        url = urlsplit(urljoin(base, address))
        if url.netloc in ("", "testserver") and url.scheme in ("", "http"):
            found.add(url.path + (f"?{url.query}" if url.query else ""))
    return found


def test_every_internal_link_opens_under_a_url_prefix(client, settings):
    call_command("demo_content", verbosity=0)
    settings.ROOT_URLCONF = "tests.urls_prefixed"
    start = ["/news/", "/news/feed/", "/news/sitemap.xml", "/news/news-sitemap.xml"]
    start += ["/news/robots.txt", "/news/corrections/", "/news/search/?q=port"]
    seen, queue, broken = set(start), deque(start), []
    while queue and len(seen) < 400:
        path = queue.popleft()
        response = client.get(path, follow=True)
        if response.status_code != 200:
            broken.append((path, response.status_code))
            continue
        if response.streaming or "html" not in response["Content-Type"] + "xml":
            continue
        for link in internal_links(response.content.decode(), f"http://testserver{path}"):
            if link not in seen and not link.startswith(NOT_PAGES):
                seen.add(link)
                queue.append(link)
    assert broken == []
    kinds = {"/news/articles/", "/news/categories/", "/news/tags/", "/news/authors/"}
    assert all(any(link.startswith(kind) for link in seen) for kind in kinds)
    assert any(link.startswith("/news/tags/") and link.endswith("/feed/") for link in seen)
    assert any(link.startswith("/news/categories/") and link.endswith("/feed/") for link in seen)
    assert all(link.startswith(("/news/", "/static/", "/media/")) for link in seen), seen
