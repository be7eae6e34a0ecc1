from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from readership.counting import count_read


def client_address(request) -> str:
    """The reader's address: a trusted proxy's X-Forwarded-For (DJANGO_BEHIND_PROXY), else the
    connection's; only its digest is kept, for REPEAT_SECONDS."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.BEHIND_PROXY and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


@csrf_exempt  # an anonymous count, no session: nothing a forged request could do but count once
@require_POST
def read_beacon(request, article_id: int):
    """A reader's browser says an article page was read (navigator.sendBeacon after load)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        response = JsonResponse(
            {"detail": "Reads are counted from this site's own pages."}, status=403
        )
    else:
        count_read(
            article_id,
            client=client_address(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
        # The same answer whether it counted or not: nothing to learn from it.
        response = HttpResponse(status=204)
    add_never_cache_headers(response)
    return response
