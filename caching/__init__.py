"""Every cache Newsroom keeps, in one package: a library the other apps call (it imports none of
them). What each keys on, what invalidates it, what it costs (the figures, each layer with and
without, are in docs/performance.md).

One rule makes them all safe: **an entry is current while nothing it shows has changed.** While
an entry is built, the code that reads content names what it read (`tags.add("article:12")`);
the entry keeps those tags with their counts at the start of its build. A change names the tags
it makes stale (`dependencies`: declared by each app for its models) and adds one to their
counts in its own transaction. So a change rebuilds only what shows it (a draft's save: nothing),
no entry is ever stale, and nothing is ever deleted: a stale entry is rebuilt when next asked for.

1. `tags`: collecting the tags of what a response shows; `dependencies`: the declarations.
2. `freshness`: the counts, the generation (a change that names no tag moves every entry) and the
   schedule (a scheduled article going live, with no write). Each process reads them in one query
   at most once per FRESHNESS_CHECK_SECONDS; a change made by the process itself is seen at once.
   Cost: one indexed query per process per second.
3. `pages.PublicPageCacheMiddleware`: whole public pages for anonymous readers, in the shared
   cache (Redis in production), one entry per URL, each living at most MAX_TTL seconds, with
   their tags in an `xkey` header (`purging`: a cache in front told what to drop). The hottest
   pages are also kept in the process (`local.LocalCopies`, 8 MB at most).
   Cost: the pages' bytes in the cache; a page is built once per change of what it shows.
4. `versioned.remember`: results many requests repeat: the category menu, a section's newest
   articles (More to Read's fill), partner keys; in the shared cache and in the process
   (`LocalCopies`, 4 MB at most); their tags count for the response that uses them.
5. `versioned.api_response`: the API's rendered JSON, its ETag and Last-Modified, per URL.
   Every request still has its key checked and counted.
6. `counters.BatchedCounter`: per-key API request counts (throttling) in the shared cache,
   sent in batches every quarter second while a key is far from its limit.

CACHE_URL=dummy:// turns every layer off; NEWSROOM_PAGE_CACHE=0 turns off layer 3; for the
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
