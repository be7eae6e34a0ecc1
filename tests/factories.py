"""Plain factories: make_*(**overrides) with sensible defaults, no library."""

import io
import itertools
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Category, RelatedLink

_sequence = itertools.count(1)


def hero_upload(name: str = "hero.png", size=(64, 36)) -> SimpleUploadedFile:
    """A small real PNG, for an article's hero image."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_category(**overrides) -> Category:
    n = next(_sequence)
    overrides.setdefault("name", f"Category {n}")
    overrides.setdefault("slug", f"category-{n}")
    return Category.objects.create(**overrides)


def make_author(**overrides) -> Author:
    n = next(_sequence)
    overrides.setdefault("name", f"Author {n}")
    overrides.setdefault("slug", f"author-{n}")
    return Author.objects.create(**overrides)


def make_article(*, tags=(), authors=(), **overrides) -> Article:
    n = next(_sequence)
    overrides.setdefault("title", f"Article {n}")
    overrides.setdefault("slug", f"article-{n}")
    overrides.setdefault("summary", f"Summary of article {n}.")
    overrides.setdefault("body", f"<p>Body of article {n}.</p>")
    if "category" not in overrides:
        overrides["category"] = make_category()
    overrides.setdefault("status", Article.Status.PUBLISHED)
    if overrides["status"] == Article.Status.PUBLISHED:
        overrides.setdefault("published_at", timezone.now() - timedelta(minutes=n))
    article = Article.objects.create(**overrides)
    if tags:
        article.tags.add(*tags)
    if authors:
        article.authors.add(*authors)
    return article


def make_live_articles(count: int, *, category=None, tags=("news", "world"), **overrides):
    category = category or make_category()
    author = make_author()
    return [
        make_article(category=category, tags=tags, authors=[author], **overrides)
        for _ in range(count)
    ]


def make_related_link(article, **overrides) -> RelatedLink:
    return RelatedLink.objects.create(article=article, **overrides)


def inline_management(*, related_links: int = 0, corrections: int = 0) -> dict:
    """The management forms the article admin's inlines expect in every POST (the corrections
    inline is only on a live article's form: extra data is ignored elsewhere)."""
    data = {}
    for prefix, total, maximum in (
        ("related_links", related_links, 1000),
        ("redirects", 0, 0),
        ("corrections", corrections, 1000),
    ):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(total),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": str(maximum),
            }
        )
    return data


def ensure_editorial_roles() -> None:
    """The Writers and Editors groups with the permissions the migrations give them: a
    transactional test that ran earlier flushed every table (permissions come back with the
    flush, groups do not)."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    roles = importlib.import_module("articles.migrations.0004_editorial_roles")
    tools = importlib.import_module("articles.migrations.0014_newsroom_tools_roles")
    writer_pairs = [*roles.WRITER_PERMISSIONS, *tools.WRITER_PERMISSIONS]
    editor_pairs = [("articles", "publish_article"), ("articles", "view_articlewithdrawal")]
    editor_pairs += [
        (app_label, f"{action}_{model}")
        for app_label, model in [
            *roles.EDITOR_MODELS,
            *(("articles", m) for m in tools.EDITOR_MODELS),
        ]
        for action in ("add", "change", "delete", "view")
    ]
    editor_pairs += [("articles", f"view_{model}") for model in tools.EDITOR_VIEWS]
    newsletters = importlib.import_module("newsletters.migrations.0002_editors_roles")
    editor_pairs += [("newsletters", codename) for codename in newsletters.EDITOR_PERMISSIONS]
    for app_label, migration in [
        ("newsletters", "0004_editors_see_the_audit_log"),
        ("readership", "0002_editors_see_reads"),
    ]:
        granted = importlib.import_module(f"{app_label}.migrations.{migration}")
        editor_pairs += [(app_label, codename) for codename in granted.EDITOR_PERMISSIONS]
    for name, pairs in [("Writers", writer_pairs), ("Editors", editor_pairs)]:
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in pairs:
            # The migrations name the app a model had then (embargo fetches moved to partners).
            app_label = MOVED_MODELS.get(codename.partition("_")[2], app_label)
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


MOVED_MODELS = {"embargofetch": "partners"}
