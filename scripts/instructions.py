"""CPU instructions per request, counted by valgrind's callgrind: a figure that does not move
with the machine's load, unlike requests/s.

Each page is requested in-process through the full middleware stack (Django's test client),
once with N requests and once with none; the difference over N is the cost of one request.
The ceiling is the benchmark's bare view under startproject's settings and middleware.

    scripts/instructions [--requests 20] [--articles 2000] [--sqlite] [--only NAME] [--markdown FILE]
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import bench

DRIVE = r"""
import sys
import django
django.setup()
from django.test import Client
path, count, keyed = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
headers = {}
if keyed:
    from partners.models import PartnerKey
    _, key = PartnerKey.objects.create_key(name="instructions", requests_per_minute=10**9)
    headers["HTTP_AUTHORIZATION"] = f"Api-Key {key}"
if path == "ARTICLE":
    from articles.models import Article
    path = Article.objects.live().filter(hero_image__gt="").first().get_absolute_url()
client = Client(HTTP_HOST="127.0.0.1")
for _ in range(5):
    assert client.get(path, **headers).status_code == 200
for _ in range(count):
    client.get(path, **headers)
"""

TARGETS = [
    ("ceiling (bare view, startproject middleware)", "/bench/ceiling/", "dummy", False),
    ("cold article", "ARTICLE", "dummy", False),
    ("cold home", "/", "dummy", False),
    ("cold API list (20)", "/api/v1/articles/", "dummy", True),
    ("warm article", "ARTICLE", "locmem", False),
    ("warm API list (20)", "/api/v1/articles/", "locmem", True),
]


def instructions(env, path: str, count: int, keyed: bool) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        output = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={scratch}/out",
                str(bench.PYTHON),
                "-c",
                DRIVE,
                path,
                str(count),
                "1" if keyed else "0",
            ],
            cwd=bench.ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    match = re.search(r"Collected : (\d+)", output.stderr)
    if output.returncode or not match:
        sys.exit(f"callgrind failed for {path}:\n{output.stderr[-2000:]}")
    return int(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--sqlite", action="store_true", help="SQLite even when PostgreSQL answers")
    parser.add_argument("--markdown", type=Path)
    parser.add_argument(
        "--only", default="", help="measure only the requests whose name contains this"
    )
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind is missing: apt-get install -y valgrind")
    database_url, label = bench.prepare_database(
        args.articles, name="newsroom_instructions", sqlite=args.sqlite
    )
    rows = []
    for name, path, cache, keyed in TARGETS:
        if args.only not in name and not path.startswith("/bench/"):
            continue
        env = bench.environment(f"{cache}://", database_url)
        env["DJANGO_SETTINGS_MODULE"] = (
            "benchmarks.ceiling_settings" if path.startswith("/bench/") else "newsroom.settings"
        )
        base = instructions(env, path, 0, keyed)
        total = instructions(env, path, args.requests, keyed)
        rows.append((name, (total - base) / args.requests))
    ceiling = rows[0][1]
    lines = [
        f"callgrind, {args.requests} requests in-process through the full middleware, "
        f"{args.articles} generated articles, {label}, DEBUG off",
        "",
        "| request | instructions | vs ceiling |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {name} | {count / 1e6:.1f} M | {count / ceiling:.1f}x |" for name, count in rows]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
