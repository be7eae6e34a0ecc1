"""XSS payloads in every field, opened in a real browser with the CSP bypassed (so escaping and
sanitizing alone must hold): no payload runs on the site or in the admin."""

import pytest

from articles.models import Article
from tests import factories
from tests.public.test_xss import PAYLOADS, hero_upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def hostile_site(live_server, django_user_model):
    category = factories.make_category(name=PAYLOADS[1], slug="hostile", description=PAYLOADS[4])
    author = factories.make_author(name=PAYLOADS[6], slug="hostile-author", bio=PAYLOADS[7])
    other = factories.make_article(title=PAYLOADS[9], slug="other", category=category)
    article = factories.make_article(
        title=PAYLOADS[0],
        slug="hostile-story",
        summary=PAYLOADS[5],
        body="".join(f"<p>{payload}</p>{payload}" for payload in PAYLOADS),
        label=PAYLOADS[7][:30],
        hero_image=hero_upload(),
        hero_alt=PAYLOADS[6],
        hero_caption=PAYLOADS[8],
        hero_credit=PAYLOADS[10],
        seo_title=PAYLOADS[3][:70],
        category=category,
        authors=[author],
        tags=[payload[:100] for payload in PAYLOADS[:4]],
        is_featured=True,
    )
    for position, payload in enumerate(PAYLOADS[2:5]):
        factories.make_related_link(article, target=other, title=payload, position=position)
    factories.make_related_link(article, url="https://example.org/", title=PAYLOADS[2], position=9)
    django_user_model.objects.create_superuser("chief", "c@example.com", "correct horse battery")
    return live_server, article


def test_no_payload_runs_on_the_site_or_in_the_admin(browser, hostile_site):
    server, article = hostile_site
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tag = article.tags.first()
    public = [
        "/",
        article.get_absolute_url(),
        "/categories/hostile/",
        f"/tags/{tag.slug}/",
        "/authors/hostile-author/",
        "/search/?q=alert",
    ]
    for path in public:
        page.goto(server.url + path)
        page.mouse.move(200, 300)  # give hover handlers their chance
        page.wait_for_timeout(100)

    page.goto(f"{server.url}/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    for path in [
        "/admin/articles/article/",
        f"/admin/articles/article/{article.pk}/change/",
        f"/admin/articles/article/{article.pk}/history/",
        f"/admin/articles/article/{article.pk}/preview/",
        "/admin/articles/category/",
        "/admin/taggit/tag/",
    ]:
        page.goto(server.url + path)
        page.wait_for_timeout(150)
    context.close()
    assert Article.objects.filter(pk=article.pk).exists()
    assert dialogs == []
