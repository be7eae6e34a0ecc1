from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from partners.api import views

app_name = "api"

router = SimpleRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("tags", views.TagViewSet, basename="tag")

# Schema and docs are public; read-only like the rest (no OPTIONS: the docs page can't render it).
public = {
    "authentication_classes": [],
    "permission_classes": [],
    "throttle_classes": [],
    "http_method_names": ["get", "head"],
}

urlpatterns = [
    *router.urls,
    path("changes/", views.ChangesView.as_view(), name="changes"),
    path("most-read/", views.MostReadView.as_view(), name="most_read"),
    path("schema/", SpectacularAPIView.as_view(**public), name="schema"),
    path(
        "docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", **public), name="docs"
    ),
]
