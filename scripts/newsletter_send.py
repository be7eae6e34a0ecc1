"""The newsletter's send time for 10,000 subscribers through a real Celery worker: PostgreSQL,
RabbitMQ as the broker, aiosmtpd on 127.0.0.1 as the mail server (delivering into a maildir),
`manage.py send_newsletter daily` queueing the batches. Reports messages per second from the
command's start to the last mail recorded as sent, the worker's memory (largest resident size
of each of its processes, sampled every 0.2 s) and how many addresses got a mail twice.

    scripts/newsletter-send [--subscribers 10000] [--concurrency 2] [--markdown FILE]
"""

import argparse
import mailbox
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import bench

SEED = """
from django.utils import timezone
from articles.models import Article, Category
from newsletters.models import Subscriber
section = Category.objects.order_by("pk").first()
Article.objects.create(
    title="Tonight's story", slug="tonight-" + str(int(timezone.now().timestamp())),
    summary="What happened today.", body="<p>All of it.</p>", category=section,
    status="published", published_at=timezone.now(),
)
Subscriber.objects.all().delete()
Subscriber.objects.bulk_create(
    [Subscriber(email=f"reader{n}@example.com") for n in range(COUNT)], batch_size=2000
)
"""


def sent_count() -> int:
    result = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "newsroom_newsletter",
            "-tAc",
            "SELECT count(*) FROM newsletters_delivery WHERE status = 'sent'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.strip())


def resident_mb(root: int) -> dict[int, float]:
    """Resident size of a process and its children."""
    sizes = {}
    pids = [root]
    while pids:
        pid = pids.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[pid] = int(line.split()[1]) / 1024
            pids += Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
    return {int(pid): size for pid, size in sizes.items()}


def start_smtp(port: int, maildir: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(bench.PYTHON), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
        + ["-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
        cwd=maildir.parent,  # not the project: aiosmtpd's helper package is named `public` too
        env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        if bench.answers("127.0.0.1", port):
            return server
        time.sleep(0.1)
    sys.exit("aiosmtpd did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    if not (bench.answers("127.0.0.1", 5432) and bench.answers("127.0.0.1", 5672)):
        sys.exit("PostgreSQL and RabbitMQ must answer on 127.0.0.1")

    database_url, _ = bench.prepare_database(20, name="newsroom_newsletter")
    folder = Path(tempfile.mkdtemp(prefix="newsletter-send-"))
    maildir = folder / "maildir"
    port = 8766
    env = bench.environment("redis://127.0.0.1:6379/5", database_url)
    env.update(
        CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DJANGO_EMAIL_HOST="127.0.0.1",
        DJANGO_EMAIL_PORT=str(port),
        NEWSROOM_SITE_URL="http://news.example.test",
    )
    subprocess.run(["redis-cli", "-n", "5", "flushdb"], capture_output=True)
    bench.manage(env, "shell", "-c", SEED.replace("COUNT", str(args.subscribers)))
    smtp = start_smtp(port, maildir)
    worker = subprocess.Popen(
        [str(bench.PYTHON), "-m", "celery", "-A", "newsroom", "worker", "--loglevel", "warning"]
        + ["--concurrency", str(args.concurrency), "--without-gossip", "--without-mingle"],
        cwd=bench.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "worker.log", "w"),  # noqa: SIM115 (open while the worker runs)
        start_new_session=True,
    )
    try:
        time.sleep(5)  # the worker connected and its pool started
        idle = resident_mb(worker.pid)
        peak: dict[int, float] = dict(idle)
        started = time.time()
        bench.manage(env, "send_newsletter", "daily")
        queued = time.time() - started
        sent = 0
        while sent < args.subscribers and time.time() - started < 1800:
            for pid, size in resident_mb(worker.pid).items():
                peak[pid] = max(peak.get(pid, 0), size)
            sent = sent_count()
            time.sleep(0.2)
        elapsed = time.time() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        os.killpg(smtp.pid, signal.SIGTERM)
        smtp.wait(timeout=30)
    received = Counter(message["To"] for message in mailbox.Maildir(maildir))
    twice = sum(1 for count in received.values() if count > 1)
    text = "\n".join(
        [
            f"{args.subscribers:,} subscribers, PostgreSQL, RabbitMQ, `celery worker "
            f"--concurrency {args.concurrency}` (prefork), aiosmtpd on 127.0.0.1 writing a "
            f"maildir, {os.cpu_count()} cores",
            "",
            "| mails recorded sent | mails received | addresses twice | queued in | all sent in "
            "| mails/s | worker memory idle → peak (MB, per process) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            f"| {sent:,} | {sum(received.values()):,} | {twice} | {queued:.1f} s | "
            f"{elapsed:.1f} s | {sent / elapsed:.0f} | "
            + ", ".join(
                f"{idle.get(pid, 0):.0f} → {size:.0f}" for pid, size in sorted(peak.items())
            )
            + " |",
        ]
    )
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
