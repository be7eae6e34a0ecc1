import logging

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import defaults, static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.exception("Health check: database unreachable")
        return False


def _cache_ok() -> bool:
    try:
        cache.set("healthz", "ok", 5)
        return cache.get("healthz") in {"ok", None}  # the dummy cache keeps nothing, by design
    except Exception:
        logger.exception("Health check: cache unreachable")
        return False


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('news-sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def not_found(request, exception):
    """The API answers JSON even for addresses no route matches; the site, its 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found: no such API endpoint or item."}, status=404)
    return defaults.page_not_found(request, exception)


def media(request, path):
    """Uploaded media, for deployments without a front server or object store for it.
    Served sandboxed: even a file that slipped past upload checks can't run script here."""
    try:
        response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError:  # a name the filesystem refuses, e.g. longer than it allows
        raise Http404("No such file.") from None
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def login_locked_out(request, response, credentials):
    """django-axes' answer once a username or address has too many failed sign-ins. The same
    for any username, existing or not, so it tells an attacker nothing about accounts."""
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed sign-ins",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": round(settings.AXES_COOLOFF_TIME * 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


def moved_to_partners(request, page):
    """An admin page of a model that moved from the articles app to partners (bookmarks)."""
    query = f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else ""
    return redirect(f"{reverse('admin:index')}partners/{page}{query}")
