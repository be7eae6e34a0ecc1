"""Most read under load: 500 readers (wrk connections) reading article pages, first without
and then with each read's beacon counted, on PostgreSQL + Redis behind gunicorn (2 sync
workers). Reports requests/s, p99 and the article pages' cache hit rate (X-Cache) of both
phases; then 1,000 more readers read one old article and the script reports how long until
/most-read/ puts it first with every one of those reads counted.

    scripts/most-read-load [--articles 2000] [--seconds 20] [--connections 500] [--hot 300]
                           [--markdown FILE]
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import bench

HOT_SET = """
from articles.models import Article
for article in Article.objects.live().order_by("-published_at")[:COUNT]:
    print(article.pk, article.get_absolute_url())
late = Article.objects.live().order_by("published_at").first()
print("late", late.pk, late.get_absolute_url(), late.title)
"""

# Each connection alternates: an article page, then (with beacons) that article's beacon as a
# reader of its own (a browser's user agent with the reader's number: the count's "client").
LUA = """
articles = {ARTICLES}
beacons = BEACONS
counter = 0
hits, misses, reads = 0, 0, 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = id * 100000000
end
request = function()
  counter = counter + 1
  local article = articles[(math.floor(counter / 2) % #articles) + 1]
  if beacons and counter % 2 == 0 then
    reads = reads + 1
    return wrk.format("POST", "/reads/" .. article[1] .. "/", {
      ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 reader-" .. counter,
      ["Content-Length"] = "0",
    })
  end
  return wrk.format("GET", article[2])
end
response = function(status, headers, body)
  if headers["X-Cache"] == "hit" then hits = hits + 1
  elseif headers["X-Cache"] == "miss" then misses = misses + 1 end
end
done = function(summary, latency, requests)
  local h, m, r = 0, 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits"); m = m + thread:get("misses"); r = r + thread:get("reads")
  end
  io.write(string.format("CACHE %d %d %d\\n", h, m, r))
end
"""


def run_wrk(script: Path, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    result = subprocess.run(
        command + ["-s", str(script), bench.BASE + "/"], capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"wrk failed: {result.stdout}{result.stderr}")
    hits, misses, reads = (
        int(n) for n in re.search(r"CACHE (\d+) (\d+) (\d+)", result.stdout).groups()
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1)),
        "p99": bench.latency(result.stdout, "99%"),
        "errors": bench.errors(result.stdout),
        "hits": hits,
        "misses": misses,
        "beacons": reads,
    }


def most_read_first(key: str) -> tuple[int, int] | None:
    request = urllib.request.Request(
        bench.BASE + "/api/v1/most-read/", headers={"Authorization": f"Api-Key {key}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        results = json.loads(response.read())["results"]
    return (results[0]["id"], results[0]["reads"]) if results else None


def page_shows_first(title: str) -> bool:
    with urllib.request.urlopen(bench.BASE + "/most-read/", timeout=10) as response:
        page = response.read().decode()
    day = page.split('id="most-read-day"', 1)[1].split("</ol>", 1)[0]
    return day.find("<li>") != -1 and title in day.split("</li>", 1)[0]


def late_readers(pk: int, count: int) -> None:
    for n in range(count):
        request = urllib.request.Request(
            f"{bench.BASE}/reads/{pk}/",
            data=b"",
            headers={"User-Agent": f"Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 late-{n}"},
        )
        urllib.request.urlopen(request, timeout=10).close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--hot", type=int, default=300)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    if not (bench.answers("127.0.0.1", 5432) and bench.answers("127.0.0.1", 6379)):
        sys.exit("PostgreSQL and Redis must answer on 127.0.0.1")

    database_url, _ = bench.prepare_database(args.articles, name="newsroom_most_read")
    setup = bench.environment("locmem://", database_url)
    key = bench.manage(setup, "create_api_key", "most-read-load").strip().splitlines()[-1]
    bench.manage(
        setup,
        "shell",
        "-c",
        "from partners.models import PartnerKey;"
        "PartnerKey.objects.filter(name='most-read-load').update(requests_per_minute=10**9)",
    )
    listed = bench.manage(setup, "shell", "-v", "0", "-c", HOT_SET.replace("COUNT", str(args.hot)))
    lines = listed.strip().splitlines()
    articles = [line.split() for line in lines if not line.startswith("late ")]
    _, late_pk, _, late_title = next(line for line in lines if line.startswith("late ")).split(
        " ", 3
    )
    lua_articles = ",".join(f'{{"{pk}", "{url}"}}' for pk, url in articles)

    subprocess.run(["redis-cli", "-n", "4", "flushdb"], capture_output=True)
    env = bench.environment("redis://127.0.0.1:6379/4", database_url)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        scripts = {}
        for beacons in (False, True):
            scripts[beacons] = Path(folder) / f"readers-{beacons}.lua"
            scripts[beacons].write_text(
                LUA.replace("{ARTICLES}", "{" + lua_articles + "}").replace(
                    "BEACONS", "true" if beacons else "false"
                )
            )
        server = bench.start_server(env)
        try:
            run_wrk(scripts[False], 10, 50)  # every page of the hot set built once
            for label, beacons in [
                ("reading", False),
                ("reading + beacons", True),
                ("reading", False),
            ]:
                rows.append((label, run_wrk(scripts[beacons], args.seconds, args.connections)))
            readers = 1000
            # The ranking and /most-read/ as readers had them: cached for this minute.
            page_shows_first(late_title)
            most_read_first(key)
            started = time.time()
            late_readers(int(late_pk), readers)
            sent = time.time()
            while time.time() - sent < 180:
                if page_shows_first(late_title) and most_read_first(key) == (int(late_pk), readers):
                    break
                time.sleep(0.5)
            shown_after = time.time() - sent
            first = most_read_first(key)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
    text = report(rows, args, len(articles), readers, shown_after, started, sent, first, late_pk)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


def report(rows, args, hot, readers, shown_after, started, sent, first, late_pk) -> str:
    lines = [
        f"{args.articles} generated articles + demo content, PostgreSQL + Redis, gunicorn 2 sync "
        f"workers, wrk {args.connections} connections over the {hot} newest article pages, "
        f"{args.seconds} s a phase, {os.cpu_count()} cores",
        "",
        "| phase | req/s | p99 ms | errors | article pages from the cache | beacons sent |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, result in rows:
        pages = result["hits"] + result["misses"]
        rate = result["hits"] / pages if pages else 0
        lines.append(
            f"| {label} | {result['rps']:.0f} | {result['p99']:.1f} | {result['errors']} "
            f"| {rate:.2%} ({result['misses']} built of {pages}) | {result['beacons']} |"
        )
    lines += [
        "",
        f"{readers} readers of an old article (id {late_pk}) in {sent - started:.1f} s: first on "
        f"/most-read/ and in the API with {first[1] if first else 0} reads "
        f"{shown_after:.1f} s after the last of them (both were cached for the minute before; "
        f"API's first: id {first[0] if first else '-'}).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
