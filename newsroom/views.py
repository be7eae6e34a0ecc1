import hashlib
import logging

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views import defaults, static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles.media import ACCESS_PARAMETER, is_public, signature_opens
from caching.versioned import remember

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
    """Uploaded media behind the embargo: a file is served while a live article shows it
    (articles.media), to staff who may view articles, or with a signed URL from the API;
    otherwise the same 404 as a name that does not exist. From the filesystem it is served
    here, sandboxed (even a file that slipped past upload checks can't run script); from a
    private bucket (newsroom.storage) this answers with a redirect to a short-lived signed
    address there."""
    digest = hashlib.md5(path.encode(), usedforsecurity=False).hexdigest()
    public = remember(f"media:{digest}", lambda: is_public(path))
    try:
        if not public and not (
            signature_opens(request.GET.get(ACCESS_PARAMETER), path)
            or request.user.has_perm("articles.view_article")
        ):
            raise Http404("No such file.")
        response = _media_file(request, path, public=public)
    except (Http404, OSError):  # OSError: a name the filesystem refuses, e.g. too long
        # Hidden or missing, the same answer, kept by nobody: the file may go live any minute.
        response = not_found(request, Http404("No such file."))
        patch_cache_control(response, no_store=True)
        return response
    if public:
        # Kept a short while by browsers and caches in front: an unpublished article's files
        # stop being served within MEDIA_CACHE_SECONDS (a purge of its tags drops them sooner).
        patch_cache_control(response, public=True, max_age=settings.MEDIA_CACHE_SECONDS)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


def _media_file(request, path: str, *, public: bool):
    if not hasattr(default_storage, "signed_url"):  # files on this machine (MEDIA_ROOT)
        response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
    # A missing object is the bucket's own 404: asking it first would cost every reader a round trip.
    keep = settings.MEDIA_CACHE_SECONDS
    if public:
        # Shared for `keep` seconds and then cached `keep` more in front: valid for both.
        address = default_storage.shared_signed_url(path, seconds=2 * keep + 60, reuse=keep)
    else:
        address = default_storage.signed_url(path, seconds=keep)
    return HttpResponseRedirect(address)


def login_locked_out(request, response, credentials):
    """django-axes' answer once a username or address has too many failed sign-ins. The same
    for any username, existing or not, so it tells an attacker nothing about accounts. The
    in-page sign-in dialog (newsroom.sessions) gets it as JSON."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {"detail": "Too many failed sign-ins: try again later or ask an administrator."},
            status=429,
        )
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
