"""Scale check: the same pages on 1,000 and on 100,000 articles, caches off, timed end to end.

Builds two PostgreSQL databases with `demo_content --articles N`, then times home, an article, a
deep category page, a tag page, search and the API list on each through Django's full request path
(the test client, every middleware, CACHE_URL=dummy:// so nothing is served from a cache), one
process per database, their requests taken in turns so that the machine's load falls on both
alike, and prints the medians side by side with their ratio. The issue's bar: 100k within 2x of 1k.

    scripts/scale [--small 1000] [--large 100000] [--repeat 30] [--markdown FILE]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import bench

MEASURE = r"""
import json, sys, time
import django
django.setup()
from django.test import Client
from articles.models import Article, Category
from partners.models import PartnerKey
from articles.querysets import live_tags

category = Category.objects.get(slug="markets")
per_page = 24
live_in_category = Article.objects.live().filter(category=category).count()
deep_page = min(200, max(1, -(-live_in_category // per_page)))
tag = live_tags().order_by("-article_count").first()
_, key = PartnerKey.objects.create_key(name="scale", requests_per_minute=10**9)
linked = Article.objects.live().filter(related_links__isnull=False).order_by("-published_at")
pages = {
    "home": "/",
    "article (with related links)": linked.first().get_absolute_url(),
    f"category, page {deep_page}": f"/categories/markets/?page={deep_page}",
    "tag": f"/tags/{tag.slug}/",
    "search": "/search/?q=ledger",
    "API list (20)": "/api/v1/articles/",
    "API search, two words never together": "/api/v1/articles/?q=ledger+custody",
}
client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Api-Key {key}")
paths = list(pages.values())
for path in paths:
    for _ in range(3):
        assert client.get(path).status_code == 200, path
print(json.dumps({"articles": Article.objects.live().count(), "pages": list(pages)}), flush=True)
for line in sys.stdin:  # the index of a page: time one request of it
    path = paths[int(line)]
    started = time.perf_counter()
    client.get(path)
    print(time.perf_counter() - started, flush=True)
"""


class Site:
    """A process serving one database's pages through the test client, one timed request at a
    time on demand."""

    def __init__(self, database_url: str):
        env = bench.environment("dummy://", database_url)
        env["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
        self.process = subprocess.Popen(
            [str(bench.PYTHON), "-c", MEASURE],
            cwd=bench.ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        header = self.process.stdout.readline()
        if not header:
            sys.exit("measuring failed: the measuring process ended (see its output above)")
        self.info = json.loads(header)

    def time(self, page: int) -> float:
        self.process.stdin.write(f"{page}\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def measure(sites: list, repeat: int) -> list[dict]:
    """Median milliseconds per page for each site, their requests taken in turns: a burst of
    load on this shared machine then slows both sites alike instead of one of them."""
    times = [{name: [] for name in site.info["pages"]} for site in sites]
    for page in range(len(sites[0].info["pages"])):
        for _ in range(repeat):
            for site, site_times in zip(sites, times, strict=True):
                site_times[site.info["pages"][page]].append(site.time(page))
    return [
        {
            "articles": site.info["articles"],
            "pages": {name: statistics.median(t) * 1000 for name, t in site_times.items()},
        }
        for site, site_times in zip(sites, times, strict=True)
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    if not bench.answers("127.0.0.1", 5432):
        sys.exit("The scale check needs PostgreSQL on 127.0.0.1.")
    urls = [
        bench.prepare_database(count, name=f"newsroom_scale_{count}")[0]
        for count in (args.small, args.large)
    ]
    sites = [Site(url) for url in urls]
    try:
        small, large = measure(sites, args.repeat)
    finally:
        for site in sites:
            site.close()
    lines = [
        f"Caches off, PostgreSQL, median of {args.repeat} requests through the full Django "
        f"stack, the two sites' requests taken in turns; {small['articles']} vs "
        f"{large['articles']} live articles.",
        "",
        f"| page | {small['articles']} articles | {large['articles']} articles | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    worst = 0.0
    for (small_name, fast), (name, slow) in zip(
        small["pages"].items(), large["pages"].items(), strict=True
    ):
        ratio = slow / fast
        worst = max(worst, ratio)
        if small_name != name:  # the deepest page the small site has
            name = f"{name} (small site: {small_name.split(', ')[-1]})"
        lines.append(f"| {name} | {fast:.1f} ms | {slow:.1f} ms | {ratio:.2f}x |")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    sys.exit(0 if worst <= 2 else 1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
