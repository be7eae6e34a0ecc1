"""Partner API keys: `Authorization: Api-Key <key>`, stored hashed, throttled per key."""

import threading
import time

from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from articles.models import PartnerKey

KEYWORD = "Api-Key"


def usable_key(header: str) -> PartnerKey | None:
    """The valid, unexpired key an `Authorization: Api-Key <key>` header names, if any."""
    keyword, _, key = header.strip().partition(" ")
    if keyword != KEYWORD:
        return None
    partner_key = PartnerKey.objects.find(key.strip())
    if partner_key is None or partner_key.has_expired:
        return None
    return partner_key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        keyword, _, key = header.strip().partition(" ")
        if keyword != KEYWORD or not key.strip():
            raise exceptions.AuthenticationFailed(
                f'Malformed Authorization header: send "Authorization: {KEYWORD} <key>".'
            )
        partner_key = usable_key(header)
        if partner_key is None:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
        partner_key.touch()
        return (None, partner_key)

    def authenticate_header(self, request):
        # Its presence turns "not authenticated" into 401 instead of 403.
        return KEYWORD


class HasPartnerKey(permissions.BasePermission):
    message = f'An API key is required: send "Authorization: {KEYWORD} <key>".'

    def has_permission(self, request, view):
        return isinstance(request.auth, PartnerKey)


class PartnerKeyThrottle(throttling.BaseThrottle):
    """Each key has its own requests-per-minute budget, counted per clock minute.

    A counter in the shared cache rather than DRF's list of request times, whose cost grows
    with the rate: at 600/min that list is 600 entries long.
    """

    def allow_request(self, request, view):
        if not isinstance(request.auth, PartnerKey):
            return True
        # The API response cache may have counted this request already.
        decided = getattr(request._request, "newsroom_throttle", None)
        allowed, self.wait_seconds = decided or throttle(request.auth)
        return allowed

    def wait(self):
        return max(1, round(self.wait_seconds))


WINDOW = 60


def throttle(partner_key: PartnerKey) -> tuple[bool, float]:
    """Count one request for the key: (allowed, seconds until its budget renews)."""
    now = time.time()
    window_start = int(now // WINDOW) * WINDOW
    key = f"newsroom:throttle:{partner_key.prefix}:{window_start}"
    try:
        count = COUNTER.hit(key, limit=partner_key.requests_per_minute, now=now)
    except Exception:
        return True, 0.0  # no shared cache: serve rather than refuse everyone
    return count <= partner_key.requests_per_minute, window_start + WINDOW - now


class SharedCounter:
    """Per-key request counts shared through the cache, batched per process.

    Far from its limit a key's count is sent at most every SYNC_SECONDS (not one cache round
    trip per request); within MARGIN of it, every request is counted at once. A key can run
    over its budget by at most what it sends in SYNC_SECONDS.
    """

    SYNC_SECONDS = 0.25
    MARGIN = 100

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[str, list] = {}  # key: [shared count, unsent, last sent]

    def hit(self, key: str, *, limit: int, now: float) -> int:
        with self.lock:
            state = self.counts.get(key)
            if state is None:
                if len(self.counts) > 10_000:  # old minutes' keys
                    self.counts.clear()
                state = self.counts[key] = [0, 0, 0.0]
            state[1] += 1
            estimate = state[0] + state[1]
            if limit - estimate > self.MARGIN and now - state[2] < self.SYNC_SECONDS:
                return estimate
            state[0], state[1], state[2] = self.send(key, state[1]), 0, now
            return state[0]

    @staticmethod
    def send(key: str, amount: int) -> int:
        timeout = WINDOW + 5
        if hasattr(cache, "count"):  # Redis: one round trip
            return cache.count(key, timeout, amount)
        if cache.add(key, amount, timeout):
            return amount
        try:
            return cache.incr(key, amount)
        except ValueError:  # expired between add and incr
            cache.add(key, amount, timeout)
            return amount

    def clear(self) -> None:
        with self.lock:
            self.counts.clear()


COUNTER = SharedCounter()


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": f"`{KEYWORD} <key>`, issued with `manage.py create_api_key NAME`.",
        }
