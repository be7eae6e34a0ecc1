from django.contrib.staticfiles.apps import StaticFilesConfig


class NewsroomStaticFilesConfig(StaticFilesConfig):
    """collectstatic leaves out what this site never serves: the browsable API's assets (the
    API renders JSON only) and ReDoc (the docs page is Swagger UI)."""

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "rest_framework",
        "drf_spectacular_sidecar/redoc",
    ]
