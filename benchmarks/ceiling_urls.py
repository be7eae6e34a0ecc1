"""The benchmark's ceiling: a bare Django view returning a fixed page of the same size as ours,
served under startproject's settings and middleware (benchmarks.ceiling_settings), never ours."""

from django.http import HttpResponse
from django.urls import path

PAGE_BYTES = 25_000
_PAGE = (
    "<!doctype html><html lang=en><head><title>ceiling</title></head><body><main><p>"
    + "x" * PAGE_BYTES
    + "</p></main></body></html>"
)


def ceiling(request):
    return HttpResponse(_PAGE)


urlpatterns = [path("bench/ceiling/", ceiling)]
