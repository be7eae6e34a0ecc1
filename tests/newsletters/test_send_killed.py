"""A send killed mid-batch and run again reaches every subscriber, once: `manage.py
send_newsletter daily` in a process of its own against a file database, a real SMTP server
(aiosmtpd, its own process), SIGKILL after a few hundred mails, then the command again."""

import mailbox
import os
import signal
import subprocess
import time
from collections import Counter

import pytest

from tests.articles.test_review import smtp_server  # noqa: F401 (a fixture)
from tests.processes import PYTHON, ROOT, manage, shell, site_environment, wait_until

pytestmark = pytest.mark.processes

SUBSCRIBERS = 2_000
SEED = f"""
from django.utils import timezone
from articles.models import Article, Category
from newsletters.models import Subscriber
section = Category.objects.create(name="Markets", slug="markets")
Article.objects.create(
    title="Tonight's story", slug="tonight", summary="S.", body="<p>B.</p>", category=section,
    status="published", published_at=timezone.now(),
)
Subscriber.objects.bulk_create(
    [Subscriber(email=f"reader{{n}}@example.com") for n in range({SUBSCRIBERS})]
)
"""


def delivered(maildir) -> int:
    new = maildir / "new"
    return len(os.listdir(new)) if new.exists() else 0


def test_a_killed_send_run_again_reaches_everyone_once(tmp_path, smtp_server):  # noqa: F811
    port, maildir = smtp_server
    env = site_environment(tmp_path, f"sqlite:///{tmp_path / 'site.sqlite3'}", static_root=tmp_path)
    env.update(
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DJANGO_EMAIL_HOST="127.0.0.1",
        DJANGO_EMAIL_PORT=str(port),
        NEWSROOM_SITE_URL="http://news.example.test",
        # The test cannot wait ten minutes for the dead process's claim to go stale.
        NEWSROOM_NEWSLETTER_STALE_CLAIM_SECONDS="1",
    )
    manage(env, "migrate", "--noinput", "-v0", timeout=300)
    shell(env, SEED)

    started = time.monotonic()
    first = subprocess.Popen(
        [str(PYTHON), "manage.py", "send_newsletter", "daily"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_until(lambda: delivered(maildir) >= 300, timeout=120)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    at_kill = delivered(maildir)
    time.sleep(1.5)  # the claim it held goes stale
    manage(env, "send_newsletter", "daily", timeout=600)
    seconds = time.monotonic() - started

    messages = list(mailbox.Maildir(maildir))
    per_address = Counter(message["To"] for message in messages)
    # A second copy is the same message: one Message-ID per address, every address its own.
    ids = {message["To"]: set() for message in messages}
    for message in messages:
        ids[message["To"]].add(message["Message-ID"])
    assert all(len(found) == 1 for found in ids.values())
    assert len({next(iter(found)) for found in ids.values()}) == len(per_address)
    twice = sorted(address for address, count in per_address.items() if count > 1)
    print(
        f"\nnewsletter: killed after {at_kill} of {SUBSCRIBERS} mails; after the second run "
        f"{len(per_address)} addresses got it, {len(twice)} twice; "
        f"{sum(per_address.values()) / seconds:.0f} mails/s overall"
    )
    # Nobody missed, but for one case: a kill in the microseconds between recording a mail as
    # sent and writing the "." that makes the server take it (newsletters.handover). SMTP gives
    # no way to close both windows; this one is thousands of times narrower than the other.
    missed = SUBSCRIBERS - len(per_address)
    assert missed in (0, 1), missed
    # Exactly once: a mail is recorded before the server can take it (newsletters.handover).
    assert twice == []
