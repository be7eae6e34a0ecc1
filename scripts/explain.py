"""PostgreSQL query plans for the hot queries on a large table: no sequential scan allowed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \
        .venv/bin/python scripts/explain.py [--articles 100000]

Tops the database up to --articles live articles (bulk insert), then prints EXPLAIN ANALYZE for
the home page, a deep category page, a tag page, search, the API list and an article's related
links, and exits 1 if any plan reads the article table sequentially.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from taggit.models import Tag  # noqa: E402

from articles.models import Article, Category, RelatedLink  # noqa: E402
from articles.search import SEARCH_WINDOW  # noqa: E402
from partners.api.serializers import listing_rows  # noqa: E402

PER_PAGE = 24


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    missing = args.articles - Article.objects.live().count()
    if missing > 0:
        call_command("demo_content", "--articles", str(missing))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    category = Category.objects.get(slug="markets")
    tag = Tag.objects.get(slug="ledgers")
    live = Article.objects.live()
    linked = live.filter(related_links__isnull=False).order_by("-published_at").first()
    queries = {
        "home (page 1)": live.order_by("-published_at", "-id")[:PER_PAGE],
        "home top story": live.filter(is_featured=True).order_by("-published_at", "-id")[:1],
        # Deep pages find their ids first (index only), then read those rows by id.
        "category page 200 ids": live.filter(category=category)
        .order_by("-published_at", "-id")
        .values("pk")[199 * PER_PAGE : 200 * PER_PAGE + 1],
        # Pages read one row more than they show instead of counting.
        "tag page 1": live.filter(tags=tag).order_by("-published_at", "-id")[: PER_PAGE + 1],
        "search (the newest 240 matches of a common word, ranked)": live.ranked_window("ledger"),
        "API list (20)": listing_rows(live).order_by("-published_at", "-id")[:21],
        # Two common words that never occur together: the window of ids goes through GIN.
        "API search of two words (ids of the window)": live.matching("ledger custody")
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)[:SEARCH_WINDOW],
        "article page: curated links with their live targets": RelatedLink.objects.of_article(
            linked.pk
        )[:3],
    }
    print(f"{Article.objects.live().count()} live articles")
    sequential = []
    for name, queryset in queries.items():
        plan = queryset.explain(analyze=True)
        print(f"\n== {name}\n{plan}")
        if "Seq Scan on articles_article" in plan:
            sequential.append(name)
    if sequential:
        sys.exit(f"\nSequential scan of the article table in: {', '.join(sequential)}")
    print("\nNo sequential scan of the article table.")


if __name__ == "__main__":
    main()
