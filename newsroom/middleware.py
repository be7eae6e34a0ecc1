import logging

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.template.response import SimpleTemplateResponse

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """A database outage answers a clear 503 (JSON under /api/), not a 500 with a stack trace.
    Pages already in the cache are still served: the page cache sits in front of this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s", exception)
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": "The service is temporarily unavailable; try again shortly."},
                status=503,
            )
        else:
            response = SimpleTemplateResponse("503.html", status=503).render()
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """settings.CONTENT_SECURITY_POLICY everywhere; the admin and the API's Swagger UI also
    allow inline styles, which their widgets write. Scripts stay 'self' + nonce everywhere."""

    inline_style_prefixes = ("/admin/", "/api/v1/docs/")

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(self.inline_style_prefixes):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts


class ExplainRefusedMethodMiddleware:
    """Django's views refuse an unsupported method with an empty 405; say what to use instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            allowed = response.get("Allow", "GET, HEAD")
            response.content = f"{request.method} is not allowed here. Allowed: {allowed}.\n"
            response["Content-Type"] = "text/plain; charset=utf-8"
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
