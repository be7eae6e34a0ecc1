"""Partner API keys: `Authorization: Api-Key <key>`, stored hashed, throttled per key."""

import time

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
    """Each key has its own requests-per-minute budget, counted per clock minute in the cache
    (shared by every process with Redis; per process with the local-memory default), in
    batches while the key is far from its limit (caching.counters).

    A counter rather than DRF's list of request times, whose cost grows with the rate: at
    600/min that list is 600 entries long.
    """

    def allow_request(self, request, view):
        if not isinstance(request.auth, PartnerKey):
            return True
        allowed, self.wait_seconds = throttle(request.auth)
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
        count = REQUESTS.hit(key, limit=partner_key.requests_per_minute, now=now)
    except Exception:
        return True, 0.0  # no cache: serve rather than refuse everyone
    return count <= partner_key.requests_per_minute, window_start + WINDOW - now


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
