"""Request counts shared through the cache (per-key API rates), batched per process."""

import threading

from django.core.cache import cache

ALL: list["BatchedCounter"] = []  # for caching.reset()


class BatchedCounter:
    """Counts per key in the shared cache, each kept two windows (a sliding window weighs in the
    window before), plus a margin.

    Far from its limit a key's count is sent at most every SYNC_SECONDS, not once per request:
    counting was most of a warm API request's time (two Redis commands). Within MARGIN of the
    limit every request is counted at once, so a key can run over its budget by at most what it
    sends in SYNC_SECONDS.
    """

    SYNC_SECONDS = 0.25
    MARGIN = 100

    def __init__(self, window: int):
        self.window = window
        self.lock = threading.Lock()
        self.counts: dict[str, list] = {}  # key: [shared count, unsent, last sent]
        self.closed: dict[str, int] = {}  # finished windows' counts, read once per process
        ALL.append(self)

    def hit(self, key: str, *, limit: int, now: float) -> int:
        """Count one request; the key's count (shared, or estimated between two sends)."""
        with self.lock:
            state = self.counts.get(key)
            if state is None:
                if len(self.counts) > 10_000:  # old windows' keys
                    self.counts.clear()
                state = self.counts[key] = [0, 0, 0.0]
            state[1] += 1
            estimate = state[0] + state[1]
            if limit - estimate > self.MARGIN and now - state[2] < self.SYNC_SECONDS:
                return estimate
            state[0], state[1], state[2] = self.send(key, state[1]), 0, now
            return state[0]

    def uncount(self, key: str) -> None:
        """Take back the last hit (a request that was refused after all)."""
        with self.lock:
            state = self.counts.get(key)
            if state is not None and state[1] > 0:
                state[1] -= 1  # not sent yet
                return
        cache.decr(key)  # sent: near the limit every hit is
        if state is not None:
            with self.lock:
                state[0] -= 1

    def finished_count(self, key: str) -> int:
        """The count of a window that has ended (it no longer moves: read it once)."""
        with self.lock:
            if key in self.closed:
                return self.closed[key]
        count = cache.get(key, 0)
        with self.lock:
            if len(self.closed) > 10_000:
                self.closed.clear()
            self.closed[key] = count
        return count

    def send(self, key: str, amount: int) -> int:
        try:
            return cache.incr(key, amount)
        except ValueError:  # the window's first count (or its key expired)
            if cache.add(key, amount, 2 * self.window + 5):
                return amount
            return cache.incr(key, amount)

    def clear(self) -> None:
        with self.lock:
            self.counts.clear()
            self.closed.clear()
