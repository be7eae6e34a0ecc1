from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from partners.api.authentication import HasPartnerKey


def exception_handler(exc, context):
    """Every error is `{"detail": "..."}`; a 400 also lists per-parameter messages in `errors`."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "detail": "Invalid request parameters: " + ", ".join(sorted(errors)) + ".",
            "errors": errors,
        }
    elif isinstance(exc, exceptions.NotAuthenticated):
        response.data = {"detail": HasPartnerKey.message}
    return response
