"""Scale check: the same pages on 1,000 and on 100,000 articles, caches off, timed end to end.

Builds two PostgreSQL databases with `demo_content --articles N`, then, for each, times home, an
article, a deep category page, a tag page, search and the API list through Django's full request path
(the test client, every middleware, CACHE_URL=dummy:// so nothing is served from a cache) and
prints the medians side by side with their ratio. The issue's bar: 100k within 2x of 1k.

    scripts/scale [--small 1000] [--large 100000] [--repeat 30] [--markdown FILE]
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import bench

MEASURE = r"""
import json, statistics, sys, time
import django
django.setup()
from django.test import Client
from articles.models import Article, Category, PartnerKey
from articles.querysets import live_tags

repeat = int(sys.argv[1])
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
result = {"articles": Article.objects.live().count(), "pages": {}}
for name, path in pages.items():
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - started)
    result["pages"][name] = statistics.median(times) * 1000
print(json.dumps(result))
"""


def measure(database_url: str, repeat: int) -> dict:
    env = bench.environment("dummy://", database_url)
    env["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    output = subprocess.run(
        [str(bench.PYTHON), "-c", MEASURE, str(repeat)],
        cwd=bench.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if output.returncode:
        sys.exit(f"measuring failed:\n{output.stderr}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    if not bench.answers("127.0.0.1", 5432):
        sys.exit("The scale check needs PostgreSQL on 127.0.0.1.")
    results = []
    for count in (args.small, args.large):
        database_url, _ = bench.prepare_database(count, name=f"newsroom_scale_{count}")
        results.append(measure(database_url, args.repeat))
    small, large = results
    lines = [
        f"Caches off, PostgreSQL, median of {args.repeat} requests through the full Django "
        f"stack; {small['articles']} vs {large['articles']} live articles.",
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
