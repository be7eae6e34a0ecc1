"""Readers' speed while the newsroom works: wrk over a hot set of pages (home, every category
page, the newest articles) while an editor works, phase by phase, against the quiet site and a
bare-Django ceiling measured in the same run.

Phases: a draft (never public) saved every 2 s; a live entry posted every 10 s; a new article
published every 15 s; each between two quiet phases, and compared with their mean. Each publish is then looked for on its page, the home page and the
API list: the longest time until all three show it is reported. PostgreSQL + Redis, gunicorn with
2 sync workers, DEBUG off.

    scripts/newsroom-day [--articles 2000] [--seconds 20] [--connections 8] [--hot 300]
                         [--markdown FILE]
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import bench

EDITOR = r"""
import json, sys, time, urllib.request
import django
django.setup()
from django.utils import timezone
from articles.models import Article, Category, LiveEntry
from articles.services import article_publish
from django.contrib.auth import get_user_model

phase, seconds, base, key = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
editor = get_user_model().objects.filter(is_superuser=True).first() or (
    get_user_model().objects.create_superuser("day-editor", "e@example.com", "x" * 20)
)
category = Category.objects.order_by("pk").first()
print("ready", flush=True)  # set up: the measured window starts now
sys.stdin.readline()
deadline = time.time() + seconds
report = {"actions": 0, "seen_within": []}


def fetch(path, headers=None):
    request = urllib.request.Request(base + path, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


def seen_everywhere(slug) -> float:
    started = time.time()
    checks = [
        (f"/articles/{slug}/", {}, lambda body: "<h1" in body),
        ("/", {}, lambda body: f"/articles/{slug}/" in body),
        ("/api/v1/articles/?page_size=5", {"Authorization": f"Api-Key {key}"},
         lambda body: f'"slug":"{slug}"' in body),
    ]
    while checks and time.time() - started < 10:
        path, headers, shows = checks[0]
        try:
            if shows(fetch(path, headers)):
                checks.pop(0)
                continue
        except OSError:
            pass
        time.sleep(0.02)
    return time.time() - started if not checks else float("inf")


if phase == "drafts":
    draft = Article.objects.create(
        title="A draft at work", slug=f"draft-at-work-{int(time.time())}", summary="Not yet.",
        body="<p>First words.</p>", category=category,
    )
    every = 2.0
elif phase == "live":
    article = Article.objects.live().with_live_coverage_running().first()
    every = 10.0
elif phase == "publish":
    every = 15.0
while time.time() < deadline:
    started = time.time()
    if phase == "drafts":
        draft.body += f"<p>More words at {started:.0f}.</p>"
        draft.save()
    elif phase == "live":
        LiveEntry.objects.create(article=article, body=f"<p>Entry at {started:.0f}.</p>")
    elif phase == "publish":
        fresh = Article.objects.create(
            title=f"Breaking at {started:.3f}", slug=f"breaking-{int(started * 1000)}",
            summary="Just in.", body="<p>News.</p>", category=category,
        )
        fresh.tags.add("economy")
        article_publish(article=fresh, by=editor)
        report["seen_within"].append(seen_everywhere(fresh.slug))
    report["actions"] += 1
    time.sleep(max(0.0, every - (time.time() - started)))
print(json.dumps(report))
"""

HOT_SET = r"""
from articles.models import Article, Category
paths = ["/"] + [c.get_absolute_url() for c in Category.objects.public()]
paths += [a.get_absolute_url() for a in Article.objects.live()[:COUNT]]
print("\n".join(paths))
"""

# Each working phase between two quiet ones: it is compared with their mean, so a machine that
# speeds up or slows down over the run (shared cores) skews no ratio.
PHASES = [
    ("quiet", None),
    ("a draft (never public) saved every 2 s", "drafts"),
    ("quiet", None),
    ("a live entry posted every 10 s", "live"),
    ("quiet", None),
    ("a new article published every 15 s", "publish"),
    ("quiet", None),
]
BARS = {"drafts": 0.95, "live": 0.90, "publish": 0.80}


def lua_rotation(paths: list[str], folder: Path) -> Path:
    script = folder / "hot-set.lua"
    listed = ",\n".join(json.dumps(path) for path in paths)
    script.write_text(
        "paths = {\n" + listed + "\n}\ncounter = 0\n"
        "request = function()\n  counter = counter + 1\n"
        "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n"
    )
    return script


def wrk_rotation(script: Path, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    result = subprocess.run(
        command + ["-s", str(script), bench.BASE + "/"], capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"wrk failed: {result.stdout}{result.stderr}")
    output = result.stdout
    import re

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p99": bench.latency(output, "99%"),
        "errors": bench.errors(output),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--hot", type=int, default=300, help="newest articles in the hot set")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    if not (bench.answers("127.0.0.1", 5432) and bench.answers("127.0.0.1", 6379)):
        sys.exit("PostgreSQL and Redis must answer on 127.0.0.1")

    database_url, _ = bench.prepare_database(args.articles, name="newsroom_day")
    setup = bench.environment("locmem://", database_url)
    key = bench.manage(setup, "create_api_key", "newsroom-day").strip().splitlines()[-1]
    bench.manage(
        setup,
        "shell",
        "-c",
        "from partners.models import PartnerKey;"
        "PartnerKey.objects.filter(name='newsroom-day').update(requests_per_minute=10**9)",
    )
    listed = bench.manage(setup, "shell", "-v", "0", "-c", HOT_SET.replace("COUNT", str(args.hot)))
    paths = [line for line in listed.split() if line.startswith("/")]

    ceiling_env = bench.environment("dummy://", database_url)
    ceiling_env["DJANGO_SETTINGS_MODULE"] = "benchmarks.ceiling_settings"
    server = bench.start_server(ceiling_env)
    try:
        bench.wrk(bench.BASE + "/bench/ceiling/", 1, args.connections, {})
        ceiling = bench.wrk(bench.BASE + "/bench/ceiling/", args.seconds, args.connections, {})
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()

    subprocess.run(["redis-cli", "-n", "3", "flushdb"], capture_output=True)
    env = bench.environment("redis://127.0.0.1:6379/3", database_url)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        script = lua_rotation(paths, Path(folder))
        server = bench.start_server(env)
        try:
            wrk_rotation(script, 10, args.connections)  # every page of the hot set built once
            for label, phase in PHASES:
                editor = None
                if phase:
                    editor = subprocess.Popen(
                        [
                            str(bench.PYTHON),
                            "-c",
                            EDITOR,
                            phase,
                            str(args.seconds),
                            bench.BASE,
                            key,
                        ],
                        cwd=bench.ROOT,
                        env={**env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        text=True,
                    )
                    assert editor.stdout.readline().strip() == "ready"
                    editor.stdin.write("go\n")  # its start-up stays out of the measured window
                    editor.stdin.flush()
                result = wrk_rotation(script, args.seconds, args.connections)
                done = (
                    json.loads(editor.communicate(timeout=120)[0].splitlines()[-1])
                    if editor
                    else {}
                )
                rows.append((label, phase, result, done))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
    print(report(rows, ceiling, args, len(paths)))
    if args.markdown:
        args.markdown.write_text(report(rows, ceiling, args, len(paths)) + "\n")


def report(rows, ceiling, args, hot) -> str:
    quiet_rps = [result["rps"] for _, phase, result, _ in rows if phase is None]
    quiet = sum(quiet_rps) / len(quiet_rps)
    lines = [
        f"{args.articles} generated articles + demo content, PostgreSQL + Redis, gunicorn 2 sync "
        f"workers, wrk {args.connections} connections over a hot set of {hot} pages (home, every "
        f"category, the {args.hot} newest articles), {args.seconds} s a phase, "
        f"{os.cpu_count()} cores; bare-Django ceiling {ceiling['rps']:.0f} req/s",
        "",
        "| phase | req/s | vs quiet beside it | bar | p99 ms | errors | vs ceiling | editor's actions |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for index, (label, phase, result, done) in enumerate(rows):
        # A working phase against the quiet phases on either side of it; a quiet one against all.
        beside = [rows[i][2]["rps"] for i in (index - 1, index + 1) if phase and 0 <= i < len(rows)]
        ratio = result["rps"] / (sum(beside) / len(beside) if beside else quiet)
        bar = BARS.get(phase)
        verdict = "" if bar is None else (f"≥ {bar:.2f} " + ("met" if ratio >= bar else "MISSED"))
        lines.append(
            f"| {label} | {result['rps']:.0f} | {ratio:.2f} | {verdict} | {result['p99']:.1f} "
            f"| {result['errors']} | {result['rps'] / ceiling['rps']:.0%} | {done.get('actions', '')} |"
        )
    seen = [s for *_, done in rows for s in done.get("seen_within", [])]
    if seen:
        lines += [
            "",
            f"Every publish on its page, the home page and the API list: longest {max(seen):.2f} s, "
            f"median {sorted(seen)[len(seen) // 2]:.2f} s over {len(seen)} publishes.",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
