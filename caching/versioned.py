"""Results kept in the shared cache with the tags of what they show (caching.tags): kept while
none of those tags has been named by a change since (caching.freshness), so nothing is ever stale.
With CACHE_URL=dummy:// everything is built afresh."""

import contextlib
import hashlib
import logging
import pickle
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.http import http_date, quote_etag
from rest_framework.renderers import JSONRenderer

from caching import tags
from caching.freshness import caching_enabled, snapshot
from caching.local import LocalCopies, url_digest

logger = logging.getLogger(__name__)
# This process's copies of what it remembered (the shared cache still has them for the others).
LOCAL = LocalCopies(4 * 1024 * 1024)


def remember(name: str, build):
    """What `build()` returns, for results many requests repeat (the category menu, a section's
    newest articles, a partner key), kept in this process too, with the tags of what it read
    (they count for the response that uses it). Callers must not change what they get: it is
    shared. None is never kept."""
    if not caching_enabled() or "remember" in settings.CACHE_LAYERS_OFF:
        return build()
    state = snapshot()
    key = f"newsroom:{name}"
    entry = LOCAL.get(key)
    if entry is None:
        try:
            entry = cache.get(key)
        except Exception:
            logger.warning("Cache unavailable: %s built afresh", name, exc_info=True)
            return build()
    if entry is not None and state.is_current(entry[1], entry[2]):
        tags.add_all(entry[2])
        return entry[0]
    with tags.collect() as shown:
        value = build()
    if value is None:
        return None
    entry = (value, state.version, state.counts_of(shown))
    with contextlib.suppress(Exception):
        cache.set(key, entry, state.ttl)
    pickled_size = len(pickle.dumps(entry, pickle.HIGHEST_PROTOCOL))
    LOCAL.put(key, entry, size=pickled_size, expires_at=time.time() + state.ttl)
    return value


def api_response(request, build) -> HttpResponse | None:
    """This API URL's rendered body with its ETag and Last-Modified (of what it shows), the same
    for every key: built by `build(request)` (a DRF Response) once until what it shows changes."""
    if not caching_enabled() or "api-bodies" in settings.CACHE_LAYERS_OFF:
        return None

    def render():
        content = JSONRenderer().render(build(request).data)
        return content, quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())

    with tags.collect() as shown:
        content, etag = remember(f"api:{url_digest(request)}", render)
    response = HttpResponse(content, content_type="application/json")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(snapshot().last_modified_of(shown).timestamp())
    return response
