"""What each process keeps of the shared cache, and the key of a request's URL."""

import hashlib
import threading
import time
from collections import OrderedDict


def url_digest(request) -> str:
    """A short key for this request's full URL. build_absolute_uri() goes through get_host(),
    which refuses a Host header outside ALLOWED_HOSTS before anything is served or stored."""
    return hashlib.md5(request.build_absolute_uri().encode(), usedforsecurity=False).hexdigest()


class LocalCopies:
    """The hottest entries of the shared cache kept in this process too, sparing a round trip
    and an unpickling: a traffic spike on one story never leaves the worker. Keys carry the
    content version, so an entry is never stale, only unused; each entry also expires when its
    shared copy does (time-windowed content moves on). Bounded by the bytes it holds, so a
    worker's memory stays flat however big the pages are."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            if found[2] <= time.time():
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return found[0]

    def put(self, key, entry, *, size: int, expires_at: float) -> None:
        if size > self.max_bytes // 8 or not self.max_bytes:
            return  # one huge response must not push out everything else
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (entry, size, expires_at)
            self.bytes += size
            while self.bytes > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def _drop(self, key) -> None:
        _, size, _ = self.entries.pop(key)
        self.bytes -= size

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0
