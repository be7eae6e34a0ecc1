"""Benchmark Newsroom against a bare-Django ceiling measured in the same run.

Runs the production server (gunicorn, 2 sync workers, DEBUG off) on 127.0.0.1 with PostgreSQL
and Redis when they answer (else SQLite and local memory), seeds demo content, and drives each
page with wrk (fixed duration and concurrency), once with caches on (warm) and once with
CACHE_URL=dummy:// (cold). Prints requests/s, p50/p99 latency, errors and the ratio to the
ceiling (a bare view of the same size under startproject's settings and middleware, served by
the same gunicorn), plus each worker's memory after the run.

    scripts/bench [--articles 2000] [--sqlite] [--seconds 10] [--connections 8] [--markdown FILE]
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def environment(cache_url: str, database_url: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_STATIC_ROOT=str(ROOT / "staticfiles"),
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        DJANGO_LOG_LEVEL="ERROR",
    )
    return env


def manage(env, *args) -> str:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def prepare_database(
    articles: int, name: str = "newsroom_bench", *, sqlite: bool = False
) -> tuple[str, str]:
    """PostgreSQL when it answers (unless sqlite), else SQLite, with demo content + articles."""
    if not sqlite and answers("127.0.0.1", 5432) and shutil.which("psql"):
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-qc",
                f"DROP DATABASE IF EXISTS {name}",
            ],
            check=True,
        )
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"],
            check=True,
        )
        database_url, label = f"postgres://postgres@127.0.0.1:5432/{name}", "PostgreSQL"
    else:
        path = Path(f"/tmp/{name}.sqlite3")
        path.unlink(missing_ok=True)
        database_url, label = f"sqlite:///{path}", "SQLite"
    env = environment("locmem://", database_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "demo_content", "--articles", str(articles))
    return database_url, label


def start_server(env, port: int = PORT, log=None) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "newsroom.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stderr=log,
    )
    for _ in range(100):
        if answers("127.0.0.1", port):
            return server
        time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")


def worker_memory_mb(server: subprocess.Popen) -> list[float]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    sizes = []
    for pid in children.read_text().split() if children.exists() else []:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def wrk(url: str, seconds: int, connections: int, headers: dict) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency(output, "50%"),
        "p99": latency(output, "99%"),
        "errors": errors(output),
    }


def latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def errors(output: str) -> int:
    total = 0
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if match:
        total += int(match.group(1))
    match = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if match:
        total += sum(int(n) for n in match.groups())
    return total


def targets(env) -> list[tuple[str, str, dict]]:
    key = manage(env, "create_api_key", "benchmark").strip().splitlines()[-1]
    # The benchmark's own key: a rate no run reaches, so no 429 skews the figures.
    script = (
        "from partners.models import PartnerKey;"
        "PartnerKey.objects.filter(name='benchmark').update(requests_per_minute=10_000_000)"
    )
    manage(env, "shell", "-c", script)
    slug = (
        manage(
            env,
            "shell",
            "-c",
            "from articles.models import Article; print(Article.objects.live().filter(hero_image__gt='').first().slug)",
        )
        .strip()
        .splitlines()[-1]
    )
    api = {"Authorization": f"Api-Key {key}"}
    return [
        ("home", "/", {}),
        ("article", f"/articles/{slug}/", {}),
        ("category", "/categories/markets/", {}),
        ("search", "/search/?q=ledger", {}),
        ("API list (20)", "/api/v1/articles/", api),
    ]


def run(
    mode: str,
    cache_url: str,
    database_url: str,
    pages,
    seconds,
    connections,
    settings=None,
    layers_off: str = "",
) -> tuple[list, list]:
    env = environment(cache_url, database_url)
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
    if layers_off:
        env["NEWSROOM_CACHE_LAYERS_OFF"] = layers_off
    server = start_server(env)
    rows = []
    try:
        for name, path, headers in pages:
            request = urllib.request.Request(BASE + path, headers=headers)
            size = len(urllib.request.urlopen(request).read())
            wrk(BASE + path, 1, connections, headers)  # warm-up
            result = wrk(BASE + path, seconds, connections, headers)
            rows.append((mode, name, size, result))
        memory = worker_memory_mb(server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    return rows, memory


# Each cache layer (articles/caching), switched off alone; "pages,remember" measures remember()
# where it matters: on pages built afresh.
LAYERS = ["local-pages", "pages", "pages,remember", "api-bodies"]


def report(rows, memories, label, articles, seconds, connections) -> str:
    ceiling = next(r for r in rows if r[1].startswith("ceiling"))[3]["rps"]
    lines = [
        f"{articles} generated articles + demo content, {label}, gunicorn 2 sync workers, "
        f"DEBUG off, wrk {connections} connections x {seconds} s, {os.cpu_count()} cores",
        "",
        "| cache | page | bytes | req/s | p50 ms | p99 ms | errors | vs ceiling |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for mode, name, size, r in rows:
        lines.append(
            f"| {mode} | {name} | {size} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} "
            f"| {r['errors']} | {r['rps'] / ceiling:.0%} |"
        )
    lines.append("")
    for mode, memory in memories.items():
        lines.append(
            f"Worker memory after the {mode} run: {', '.join(f'{m:.0f} MB' for m in memory)}"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--sqlite", action="store_true", help="SQLite even when PostgreSQL answers")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument(
        "--layers",
        action="store_true",
        help="also run warm with each cache layer off in turn (the with/without figures)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")

    database_url, label = prepare_database(args.articles, sqlite=args.sqlite)
    pages = targets(environment("locmem://", database_url))
    redis = not args.sqlite and answers("127.0.0.1", 6379)  # --sqlite: the embedded default
    warm_cache = "redis://127.0.0.1:6379/3" if redis else "locmem://"
    if warm_cache.startswith("redis"):
        subprocess.run(["redis-cli", "-n", "3", "flushdb"], capture_output=True)
    # The ceiling: a bare view of the same size under startproject's settings and middleware.
    ceiling = [("ceiling (bare Django view)", "/bench/ceiling/", {})]
    rows, _ = run(
        "-",
        "dummy://",
        database_url,
        ceiling,
        args.seconds,
        args.connections,
        settings="benchmarks.ceiling_settings",
    )
    memories = {}
    modes = [("warm", warm_cache, "")]
    if args.layers:
        modes += [(f"warm, {off} off", warm_cache, off) for off in LAYERS]
    modes.append(("cold", "dummy://", ""))
    for mode, cache_url, layers_off in modes:
        if cache_url.startswith("redis"):
            subprocess.run(["redis-cli", "-n", "3", "flushdb"], capture_output=True)
        mode_rows, memories[mode] = run(
            mode,
            cache_url,
            database_url,
            pages,
            args.seconds,
            args.connections,
            layers_off=layers_off,
        )
        rows += mode_rows
    label += " + Redis" if warm_cache.startswith("redis") else " + local memory"
    text = report(rows, memories, label, args.articles, args.seconds, args.connections)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
