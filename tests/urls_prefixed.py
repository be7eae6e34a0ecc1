"""The site mounted under /news/, for tests of address building."""

from django.urls import include, path

urlpatterns = [path("news/", include("newsroom.urls"))]
