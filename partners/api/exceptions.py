from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from partners.api.authentication import HasPartnerKey


class ParameterNotFound(exceptions.APIException):
    """A well-formed parameter that names nothing: a slug no live article shows, or a cursor
    we did not make (404, as DRF's own cursor pagination answers: the schema can say what a
    value looks like, not which values exist). `errors` says which parameter and why."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"

    def __init__(self, errors: dict):
        super().__init__(detail=errors)


def exception_handler(exc, context):
    """Every error is `{"detail": "..."}`; a 400 also lists per-parameter messages in `errors`."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ParameterNotFound):
        response.data = {
            "detail": "Not found: " + ", ".join(sorted(exc.detail)) + ".",
            "errors": exc.detail,
        }
    elif isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "detail": "Invalid request parameters: " + ", ".join(sorted(errors)) + ".",
            "errors": errors,
        }
    elif isinstance(exc, exceptions.NotAuthenticated):
        response.data = {"detail": HasPartnerKey.message}
    return response
