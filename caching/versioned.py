"""Results kept in the shared cache under the content version (see freshness): a change to the
content, or a scheduled article coming due, moves every key, so nothing is ever stale or deleted.
With CACHE_URL=dummy:// everything is built afresh."""

import contextlib
import hashlib
import logging
import pickle
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.http import quote_etag
from rest_framework.renderers import JSONRenderer

from caching.freshness import caching_enabled, snapshot
from caching.local import LocalCopies, url_digest

logger = logging.getLogger(__name__)
# This process's copies of what it remembered (the shared cache still has them for the others).
LOCAL = LocalCopies(4 * 1024 * 1024)


def remember(name: str, build):
    """What `build()` returns, for results many requests repeat (the category menu, a section's
    newest articles, a partner key), kept in this process too. Callers must not change what
    they get: it is shared. None is never kept."""
    if not caching_enabled() or "remember" in settings.CACHE_LAYERS_OFF:
        return build()
    state = snapshot()
    key = f"newsroom:{name}:{state.version}"
    value = LOCAL.get(key)
    if value is not None:
        return value
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable: %s built afresh", name, exc_info=True)
        return build()
    if value is None:
        value = build()
        if value is None:
            return None
        with contextlib.suppress(Exception):
            cache.set(key, value, state.ttl)
    pickled_size = len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    LOCAL.put(key, value, size=pickled_size, expires_at=time.time() + state.ttl)
    return value


def api_response(request, build) -> HttpResponse | None:
    """This API URL's rendered body with its ETag, the same for every key: built by
    `build(request)` (a DRF Response) at most once per content version."""
    if not caching_enabled() or "api-bodies" in settings.CACHE_LAYERS_OFF:
        return None

    def render():
        content = JSONRenderer().render(build(request).data)
        return content, quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())

    content, etag = remember(f"api:{url_digest(request)}", render)
    response = HttpResponse(content, content_type="application/json")
    response["ETag"] = etag
    return response
