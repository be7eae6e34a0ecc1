from django.contrib.staticfiles.finders import AppDirectoriesFinder

# Assets of installed apps that this site never serves: the browsable API's (the API renders
# JSON only) and ReDoc's (the API docs page is Swagger UI).
NEVER_SERVED = ["rest_framework", "drf_spectacular_sidecar/redoc/*"]


class ServedAppAssetsFinder(AppDirectoriesFinder):
    """Django's app directories finder, leaving out what is never served, so collectstatic
    neither copies, hashes nor compresses it."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *NEVER_SERVED])
