"""Most read: how often each article is read, without a cookie or a cache miss.

A reader's browser sends a small beacon after an article page has loaded (`POST /reads/<id>/`):
the page itself stays the same bytes for everyone, so it stays cached. The beacon is counted in
the shared cache (`counting`): once per client and article in REPEAT_SECONDS, never for a
client that says it is a robot, with no address or identifier kept anywhere, only a keyed digest
in the cache for REPEAT_SECONDS. Each minute's counts are folded into the database by the hour
(`ReadCount`), by a periodic task or by whoever next builds the ranking, exactly once per cache.

`ranking.most_read()` sums a rolling window (24 h or 7 days, by the hour) of live articles, with
the current minute's counts from the cache; it is rebuilt at most once a minute, and the pages
that show it load it separately (`/most-read/`), so no read invalidates a page.
"""
