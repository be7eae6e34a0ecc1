"""Django's RedisCache, reusing one redis-py client per connection pool.

Django builds a new `redis.Redis` object for every cache operation; constructing one costs
about as much as the round trip itself. The client is thread-safe and its pool does the
connection handling, so one per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class PooledRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledRedisCacheClient

    def count(self, key: str, timeout: int, amount: int = 1) -> int:
        """Add to a counter that lives `timeout` seconds from its first count, in one round
        trip (Django's add + incr take two or three)."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        with client.pipeline(transaction=False) as pipe:
            pipe.set(key, 0, ex=timeout, nx=True)
            pipe.incrby(key, amount)
            return pipe.execute()[1]
