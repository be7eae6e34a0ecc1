"""Repeat partner requests answered from this process's memory, before DRF.

A cached API response still needs its key checked and counted, but not DRF's dispatch, the
filters' validation (the URL passed it when the response was made) or rendering. The entry is
the finished response, headers included, under the content snapshot's version: any change to
the content, or a scheduled publication coming due, moves every URL to a new entry.
"""

import time

from django.db import DatabaseError
from django.http import HttpResponse

from articles.api.authentication import throttle, usable_key
from articles.freshness import caching_enabled, snapshot
from articles.page_cache import LocalPages, url_digest

LOCAL_RESPONSES = LocalPages()
UNCACHED = ("/api/v1/schema/", "/api/v1/docs/")


def mark_cacheable(response) -> None:
    """Called by the API views for responses this middleware may keep."""
    response.newsroom_cacheable = True


class PartnerApiResponseCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.applies(request):
            return self.get_response(request)
        try:
            state = snapshot()
        except DatabaseError:
            return self.get_response(request)
        key = f"{state.version}:{url_digest(request)}"
        entry = LOCAL_RESPONSES.get(key)
        if entry is not None and (hit := self.serve(request, entry)) is not None:
            return hit
        response = self.get_response(request)
        if response.status_code == 200 and getattr(response, "newsroom_cacheable", False):
            LOCAL_RESPONSES.put(
                key,
                (dict(response.items()), response.content),
                size=len(response.content),
                expires_at=time.time() + state.ttl,
            )
        return response

    @staticmethod
    def applies(request) -> bool:
        return (
            request.method == "GET"
            and request.path.startswith("/api/v1/")
            and not request.path.startswith(UNCACHED)
            and caching_enabled()
        )

    @staticmethod
    def serve(request, entry):
        partner_key = usable_key(request.META.get("HTTP_AUTHORIZATION", ""))
        if partner_key is None:
            return None  # DRF answers the 401 and says why
        request.newsroom_throttle = decision = throttle(partner_key)
        if not decision[0]:
            return None  # DRF answers the 429 (counted once: it reads the decision)
        partner_key.touch()
        headers, content = entry
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        return response
