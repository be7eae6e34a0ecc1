"""The benchmark's ceiling: a bare Django view returning a fixed page of a given size.

Mounted only when NEWSROOM_BENCH=1 (scripts/bench sets it); never in a normal deployment.
"""

from django.http import HttpResponse

PAGE_BYTES = 25_000
_PAGE = (
    "<!doctype html><html lang=en><head><title>ceiling</title></head><body><main><p>"
    + "x" * PAGE_BYTES
    + "</p></main></body></html>"
)


def ceiling(request):
    return HttpResponse(_PAGE)
