"""Partner API keys: `Authorization: Api-Key <key>`, stored hashed, throttled per key."""

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


class PartnerKeyThrottle(throttling.SimpleRateThrottle):
    """Each key has its own requests-per-minute budget."""

    scope = "partner"

    def allow_request(self, request, view):
        if isinstance(request.auth, PartnerKey):
            self.rate = f"{request.auth.requests_per_minute}/min"
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, PartnerKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}


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
