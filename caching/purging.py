"""Purging the cache in front: a committed change tells it, by tag, what to drop.

Every public response carries its tags in the `xkey` header (Varnish's xkey vmod; Fastly reads
`Surrogate-Key`, Cloudflare `Cache-Tag`: docs/deploy.md). With NEWSROOM_PURGE_URL set, a change
sends `PURGE` with `xkey-purge: <tags>` once its transaction commits, and again a moment later
(see send()): from Celery tasks with retries when a broker runs, else right there, briefly (a purge
that fails then is logged, and the page expires by its s-maxage).
"""

import logging
import threading

import urllib3
from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)
TIMEOUT = urllib3.Timeout(connect=1, read=2)
PURGE_ERRORS = (urllib3.exceptions.HTTPError, OSError, RuntimeError)


def send(tags: set[str]) -> None:
    """Purge now, and once more when every process has surely seen the change: a page the cache
    in front fetched again in between may have come from a process that had not yet
    (caching.freshness reads the database once per FRESHNESS_CHECK_SECONDS)."""
    tags, again = sorted(tags), settings.FRESHNESS_CHECK_SECONDS + 0.1
    if settings.CELERY_TASK_ALWAYS_EAGER:
        purge_quietly(tags)
        # Not a daemon: a command that made the change waits for it before it exits.
        threading.Timer(again, purge_quietly, args=(tags,)).start()
    else:
        purge_tags.delay(tags)
        purge_tags.apply_async((tags,), countdown=again)


def purge_quietly(tags: list[str]) -> None:
    try:
        purge_now(tags)
    except PURGE_ERRORS:
        logger.warning("Purge of %s failed: the cache in front expires them", tags)


def purge_now(tags: list[str]) -> int:
    """One purge request; the number of objects the cache in front dropped, if it says."""
    response = urllib3.request(
        "PURGE",
        settings.PURGE_URL,
        headers={"xkey-purge": " ".join(tags)},
        timeout=TIMEOUT,
        retries=False,
        redirect=False,
    )
    if response.status >= 400:
        raise RuntimeError(f"The cache in front answered {response.status} to a purge.")
    return int(response.headers.get("X-Purged", "0") or 0)


@shared_task(autoretry_for=PURGE_ERRORS, retry_backoff=2, retry_backoff_max=60, max_retries=8)
def purge_tags(tags: list[str]) -> int:
    return purge_now(tags)
