from django.utils.cache import patch_cache_control, patch_vary_headers


class PrivateApiResponsesMiddleware:
    """Every /api/ response, whatever view or error made it, is for its key's holder only: a
    shared cache (CDN, proxy) must neither store it nor hand it to another client. One place,
    so a new endpoint cannot forget it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/api/"):
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ["Authorization"])
        return response
