"""Whole-page caching for anonymous readers, invalidated by content changes and by time.

Each page is stored with the tags of what it shows (caching.tags) and their counts when it was
built; it is served while none of them has grown (caching.freshness), so a cached page is never
stale, and a change rebuilds only the pages that show it. Its tags also go out in the `xkey`
header, for a cache in front that purges by them.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.cache import get_max_age, patch_cache_control
from django.utils.http import http_date

from caching import tags
from caching.freshness import caching_enabled, snapshot
from caching.local import LocalCopies, url_digest

logger = logging.getLogger(__name__)
UNCACHED_PREFIXES = ("/admin/", "/preview/", "/api/", "/healthz", "/static/", "/media/")
# The tags of a page (caching.tags), for a cache in front that purges by them (Varnish's xkey).
TAGS_HEADER = "xkey"
# Whether the page came from this cache: for people and tests watching it work.
CACHE_STATUS_HEADER = "X-Cache"
STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "X-Frame-Options",
    "Last-Modified",
    "ETag",
    TAGS_HEADER,
)
# Stored with a page that follows time, not changes: how long it was true for when built.
FOLLOWS_TIME_HEADER = "X-Newsroom-Lifetime"
# Each process keeps its hottest pages, up to this many bytes.
LOCAL_BYTES = 8 * 1024 * 1024
LOCAL_PAGES: list[LocalCopies] = []
# A CDN in front may keep a page this long, then serve it stale while it fetches a new one.
CDN_SECONDS = 5
CDN_STALE_SECONDS = 10
# With purging configured, the cache in front keeps pages this long: a change purges them.
PURGED_CDN_SECONDS = 300


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        local_off = "local-pages" in settings.CACHE_LAYERS_OFF
        self.local = LocalCopies(0 if local_off else LOCAL_BYTES)
        LOCAL_PAGES.append(self.local)  # for caching.reset()
        self.checked: dict = {}  # key: the entry found current under `checked_under`
        self.checked_under = None

    def __call__(self, request):
        if not self.cacheable_request(request):
            response = self.get_response(request)
            if request.session_cookie_present and not request.path.startswith("/api/"):
                patch_cache_control(response, private=True)
            return response

        try:
            state = snapshot()
        except DatabaseError:
            return self.get_response(request)  # nothing cached to fall back on: the view says 503
        key = self.key(request)
        hit = self.load(key, state)
        if hit is not None:
            hit[CACHE_STATUS_HEADER] = "hit"
            return self.finish(hit, state, hit.follows_time)

        with tags.collect() as shown:
            response = self.get_response(request)
        if self.cacheable_response(response):
            shown.add(tags.EVERYTHING)
            response["Last-Modified"] = http_date(state.last_modified_of(shown).timestamp())
            response["ETag"] = (
                f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'
            )
            response[TAGS_HEADER] = " ".join(sorted(shown))
            # A page that follows time (most read) says how long it stays true: no longer.
            lifetime = min(state.ttl, get_max_age(response) or state.ttl)
            follows_time = lifetime if get_max_age(response) is not None else None
            self.store(key, response, state, state.counts_of(shown), lifetime, follows_time)
            response[CACHE_STATUS_HEADER] = "miss"
            self.finish(response, state, follows_time)
        return response

    @staticmethod
    def cacheable_request(request) -> bool:
        request.session_cookie_present = settings.SESSION_COOKIE_NAME in request.COOKIES
        return (
            settings.PAGE_CACHE
            and "pages" not in settings.CACHE_LAYERS_OFF
            and caching_enabled()
            and request.method in ("GET", "HEAD")
            and not request.session_cookie_present
            and "HTTP_AUTHORIZATION" not in request.META
            and not request.path.startswith(UNCACHED_PREFIXES)
        )

    @staticmethod
    def cacheable_response(response) -> bool:
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in cache_control
            and "no-cache" not in cache_control
            and "no-store" not in cache_control
        )

    @staticmethod
    def key(request) -> str:
        return f"newsroom:page:{url_digest(request)}"

    def load(self, key, state):
        """The stored page, if it is still current (its tags' counts have not grown)."""
        entry = self.local.get(key)
        if entry is None:
            try:
                entry = cache.get(key)
            except Exception:
                logger.warning("Cache unavailable: page served uncached", exc_info=True)
                return None
            if entry is None or entry[3] <= time.time():  # its own lifetime, whatever the cache's
                return None
            self.local.put(key, entry, size=len(entry[2]), expires_at=entry[3])
        status, headers, content, expires_at, version, counts = entry
        # Checked once per entry and snapshot (a second), not on every request.
        if self.checked_under is not state:
            self.checked, self.checked_under = {}, state
        if self.checked.get(key) is not entry:
            if not state.is_current(version, counts):
                return None
            self.checked[key] = entry
        response = HttpResponse(content, status=status)
        for name, value in headers.items():
            if name != FOLLOWS_TIME_HEADER:
                response[name] = value
        response.follows_time = (
            max(0, int(expires_at - time.time())) if FOLLOWS_TIME_HEADER in headers else None
        )
        return response

    def store(self, key, response, state, counts, lifetime, follows_time) -> None:
        headers = {name: response[name] for name in STORED_HEADERS if name in response}
        if follows_time is not None:
            headers[FOLLOWS_TIME_HEADER] = str(follows_time)
        expires_at = time.time() + lifetime
        entry = (response.status_code, headers, response.content, expires_at, state.version, counts)
        self.local.put(key, entry, size=len(response.content), expires_at=expires_at)
        try:
            cache.set(key, entry, state.ttl)
        except Exception:
            logger.warning("Cache unavailable: page not stored", exc_info=True)

    @staticmethod
    def finish(response, state, follows_time=None):
        if follows_time is not None:  # true for this many seconds more, for everyone
            response.headers.pop("Cache-Control", None)
            patch_cache_control(response, public=True, max_age=follows_time, s_maxage=follows_time)
            return response
        # A cache in front that is told what to drop (NEWSROOM_PURGE_URL) may keep pages for
        # minutes; one that is not, for seconds.
        kept = PURGED_CDN_SECONDS if settings.PURGE_URL else CDN_SECONDS
        patch_cache_control(
            response,
            public=True,
            max_age=0,
            s_maxage=min(kept, state.ttl),
            stale_while_revalidate=CDN_STALE_SECONDS,
        )
        return response
