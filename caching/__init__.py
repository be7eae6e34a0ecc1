"""Every cache Newsroom keeps, in one package. What each keys on, what invalidates it, what it
costs (the figures, each layer with and without, are in docs/performance.md).

One rule makes them all safe: every key carries the **content version** (`freshness.snapshot()`),
read from a counter row in the database that each change to public content bumps in its own
transaction. A change, or a scheduled article coming due, moves the version, so no entry is ever
stale and nothing is ever deleted; old entries are simply no longer asked for and expire.

1. `freshness`: the content version and Last-Modified. Each process reads the counter (with the
   newest live and next scheduled publication times) in one query at most once per
   FRESHNESS_CHECK_SECONDS; a change made by the process itself is seen at once.
   Cost: one indexed query per process per second.
2. `pages.PublicPageCacheMiddleware`: whole public pages for anonymous readers, in the shared
   cache (Redis in production), keyed on the version and the full URL, each entry living at most
   MAX_TTL seconds. The hottest pages are also kept in the process (`LocalCopies`, 8 MB at
   most), sparing a round trip to the shared cache.
   Cost: the pages' bytes in the cache; a cold page is built once per version.
3. `versioned.remember`: results many requests repeat, under the version: the category menu,
   a section's newest articles (More to Read's fill), partner keys; in the shared cache and in
   the process (`LocalCopies`, 4 MB at most).
4. `versioned.api_response`: the API's rendered JSON and its ETag, per URL, under the version.
   Every request still has its key checked and counted.

5. `counters.BatchedCounter`: per-key API request counts (throttling) in the shared cache,
   sent in batches every quarter second while a key is far from its limit.

CACHE_URL=dummy:// turns every layer off; NEWSROOM_PAGE_CACHE=0 turns off layer 2; for the
with/without figures NEWSROOM_CACHE_LAYERS_OFF names layers to switch off ("local-pages",
"pages", "remember", "api-bodies").
Tests start from nothing with `reset()`.
"""

import contextlib

from django.core.cache import cache


def reset() -> None:
    """Forget everything cached, in the shared cache and in this process."""
    from caching import counters, freshness, pages, versioned  # not at import: this is an app

    with contextlib.suppress(Exception):  # a test may have pointed the cache at nothing
        cache.clear()
    freshness.forget_counts()
    versioned.LOCAL.clear()
    for copies in pages.LOCAL_PAGES:
        copies.clear()
    for counter in counters.ALL:
        counter.clear()
