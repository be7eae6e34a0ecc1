"""Partner API keys: `Authorization: Api-Key <key>`, stored hashed, throttled per key."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework_api_key.models import APIKey

KEYWORD = "Api-Key"


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
        try:
            api_key = APIKey.objects.get_from_key(key.strip())
        except APIKey.DoesNotExist:
            api_key = None
        if api_key is None or api_key.has_expired:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
        return (None, api_key)

    def authenticate_header(self, request):
        # Its presence turns "not authenticated" into 401 instead of 403.
        return KEYWORD


class HasPartnerKey(permissions.BasePermission):
    message = f'An API key is required: send "Authorization: {KEYWORD} <key>".'

    def has_permission(self, request, view):
        return isinstance(request.auth, APIKey)


class PartnerKeyThrottle(throttling.SimpleRateThrottle):
    scope = "partner"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, APIKey):
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
