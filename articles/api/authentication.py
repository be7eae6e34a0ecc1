"""Partner API keys: `Authorization: Api-Key <key>`, stored hashed, throttled per key."""

import time

from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from articles.models import PartnerKey

KEYWORD = "Api-Key"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        keyword, _, key = header.strip().partition(" ")
        key = key.strip()
        if keyword != KEYWORD or not key:
            raise exceptions.AuthenticationFailed(
                f'Malformed Authorization header: send "Authorization: {KEYWORD} <key>".'
            )
        partner_key = PartnerKey.objects.find(key)
        if partner_key is None or partner_key.has_expired:
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

    A counter (one atomic increment in the shared cache) rather than DRF's list of request
    times, whose cost grows with the rate: at 600/min that list is 600 entries long.
    """

    window = 60

    def allow_request(self, request, view):
        if not isinstance(request.auth, PartnerKey):
            return True
        now = time.time()
        window_start = int(now // self.window) * self.window
        key = f"newsroom:throttle:{request.auth.prefix}:{window_start}"
        self.wait_seconds = window_start + self.window - now
        try:
            count = self.count(key)
        except Exception:
            return True  # no shared cache: serve rather than refuse everyone
        return count <= request.auth.requests_per_minute

    def count(self, key) -> int:
        if hasattr(cache, "count"):  # Redis: one round trip
            return cache.count(key, self.window + 5)
        try:
            return 1 if cache.add(key, 1, self.window + 5) else cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, self.window + 5)
            return 1

    def wait(self):
        return max(1, round(self.wait_seconds))


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
