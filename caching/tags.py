"""Cache tags: the names of what a cached response shows ("article:12", "list:section:3").

While a response (or a remembered result) is built, the code that reads content names what it
read with `add()`; the cache layer collects the names with `collect()` and stores them with the
entry. A change names what it makes stale (caching.dependencies); an entry is valid while none of
its tags was named by a change since it was built (caching.freshness.Snapshot.is_current).

Collections nest: what an inner build collects (a remembered section fill) is part of the outer
one (the article page that shows it).
"""

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

# Every public response carries this one too: a change that names no tag (manage.py
# content_changed, an import) makes everything stale, in the cache in front as well.
EVERYTHING = "all"

_collecting: ContextVar[set | None] = ContextVar("caching_tags", default=None)


def add(*tags: str) -> None:
    """Name what the response being built shows (nothing happens outside a build)."""
    collected = _collecting.get()
    if collected is not None:
        collected.update(tags)


def add_all(tags: Iterable[str]) -> None:
    collected = _collecting.get()
    if collected is not None:
        collected.update(tags)


@contextlib.contextmanager
def collect() -> Iterator[set]:
    """The tags named while the block runs; they count for the enclosing collection too."""
    outer = _collecting.get()
    collected: set = set()
    token = _collecting.set(collected)
    try:
        yield collected
    finally:
        _collecting.reset(token)
        if outer is not None:
            outer.update(collected)
