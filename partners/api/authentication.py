"""Partner API keys: `Authorization: Api-Key <key>`, stored hashed, throttled per key."""

import math
import time
from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from caching.counters import BatchedCounter
from partners.models import PartnerKey

KEYWORD = "Api-Key"


def names_our_scheme(keyword: str) -> bool:
    """HTTP authentication schemes are case-insensitive (RFC 9110 §11.1): api-key, API-KEY."""
    return keyword.casefold() == KEYWORD.casefold()


def usable_key(header: str) -> PartnerKey | None:
    """The valid, unexpired key an `Authorization: Api-Key <key>` header names, if any."""
    keyword, _, key = header.strip().partition(" ")
    if not names_our_scheme(keyword):
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
        if not names_our_scheme(keyword) or not key.strip():
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
    """Each key has its own requests-per-minute budget over a sliding minute: this clock
    minute's count plus the last one's, weighed by how much of it the sliding minute still
    covers (no burst of twice the budget across a minute boundary). Counted in the cache
    (shared by every process with Redis; per process with the local-memory default), in batches
    while the key is far from its limit (caching.counters).

    Counters rather than DRF's list of request times, whose cost grows with the rate: at
    600/min that list is 600 entries long. What is left is told in the `RateLimit-Policy` and
    `RateLimit` headers (IETF httpapi rate limit headers draft), set by the views.
    """

    def allow_request(self, request, view):
        if not isinstance(request.auth, PartnerKey):
            return True
        request.rate_limit = throttle(request.auth)
        self.retry_after = request.rate_limit.retry_after
        return request.rate_limit.allowed

    def wait(self):
        return max(1, math.ceil(self.retry_after))


@dataclass(frozen=True)
class RateLimit:
    limit: int
    used: float  # requests in the sliding minute, the earlier minute's weighed
    window_left: float  # seconds until this clock minute ends
    retry_after: float  # seconds until a request is allowed again, if refused now

    @property
    def allowed(self) -> bool:
        return self.retry_after == 0

    def headers(self) -> dict:
        remaining = max(0, self.limit - math.ceil(self.used))
        reset = math.ceil(self.retry_after if not self.allowed else self.window_left)
        return {
            "RateLimit-Policy": f'"per-key";q={self.limit};w={WINDOW}',
            "RateLimit": f'"per-key";r={remaining};t={reset}',
        }


WINDOW = 60


def throttle(partner_key: PartnerKey) -> RateLimit:
    """Count one request for the key, and say whether it is within the sliding minute."""
    limit = partner_key.requests_per_minute
    now = time.time()
    window_start = int(now // WINDOW) * WINDOW
    elapsed = now - window_start
    key = f"newsroom:throttle:{partner_key.prefix}"
    this_minute = f"{key}:{window_start}"
    try:
        current = REQUESTS.hit(this_minute, limit=limit, now=now)
        earlier = REQUESTS.finished_count(f"{key}:{window_start - WINDOW}")
    except Exception:
        return RateLimit(limit, 0, WINDOW - elapsed, 0)  # no cache: serve, not refuse everyone
    used = current + earlier * (WINDOW - elapsed) / WINDOW
    if used <= limit:
        return RateLimit(limit, used, WINDOW - elapsed, 0)
    # A refused request uses nothing: a client retrying too early does not push its turn back.
    REQUESTS.uncount(this_minute)
    current -= 1
    wait = seconds_until_room(current, earlier, limit, elapsed)
    return RateLimit(limit, used - 1, WINDOW - elapsed, wait)


def seconds_until_room(current: int, earlier: int, limit: int, elapsed: float) -> float:
    """How long until one more request fits in the sliding minute, if none comes meanwhile."""
    room = limit - 1  # what the sliding count must fall to
    if current <= room and earlier:
        # Within this minute, as the earlier minute's weight shrinks.
        return max(1.0, WINDOW * (1 - (room - current) / earlier) - elapsed)
    # Not before the next minute, as this minute's count weighs less and less in it.
    return (WINDOW - elapsed) + max(0.0, WINDOW * (1 - room / max(current, 1)))


REQUESTS = BatchedCounter(window=WINDOW)


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
