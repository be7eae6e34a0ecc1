"""Signing in again without leaving a form: the admin's pages ask these before a save.

`session` says whether the browser is still signed in and gives the current CSRF token (a sign-in
in another tab rotates it); `sign_in` takes a password from the in-page dialog. Both answer JSON,
never a redirect to the login page, so the form and what was typed in it stay where they are.
"""

import json

from django.contrib.auth import authenticate, login
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST


def signed_in_staff(request) -> bool:
    return request.user.is_active and request.user.is_staff


@never_cache
@ensure_csrf_cookie
@require_GET
def session(request):
    return JsonResponse(
        {
            "authenticated": signed_in_staff(request),
            "username": request.user.get_username() if signed_in_staff(request) else None,
            "csrf_token": get_token(request),
        }
    )


@never_cache
@require_POST
def sign_in(request):
    try:
        credentials = json.loads(request.body)
        username, password = credentials["username"], credentials["password"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse(
            {"detail": "Send a JSON object with username and password."}, status=400
        )
    if not isinstance(username, str) or not isinstance(password, str):
        return JsonResponse({"detail": "Username and password must be text."}, status=400)
    user = authenticate(request, username=username, password=password)
    # Too many failures: django-axes' middleware answers 429 (newsroom.views.login_locked_out).
    if user is None or not user.is_staff:
        return JsonResponse(
            {"detail": "Please enter the correct username and password for a staff account."},
            status=401,
        )
    login(request, user)
    return JsonResponse({"username": user.get_username(), "csrf_token": get_token(request)})


def csrf_failure(request, reason=""):
    """A stale token on a script's request gets JSON it can act on; pages get Django's page."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {"detail": "The form's security token is out of date.", "csrf_stale": True},
            status=403,
        )
    return django_csrf_failure(request, reason=reason)
