from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe

from newsroom import accounts, sessions, views
from public.sitemaps import (
    ArticleSitemap,
    AuthorSitemap,
    CategorySitemap,
    NewsSitemap,
    PageSitemap,
    TagSitemap,
)
from public.views import staff_preview

sitemaps = {
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "pages": PageSitemap,
}

urlpatterns = [
    *accounts.urlpatterns,
    # The admin's Preview button shows the reader site's page: the site renders it.
    path(
        "admin/articles/article/<int:pk>/preview/",
        admin.site.admin_view(staff_preview),
        name="article_preview",
    ),
    # Partners' models moved from the articles app: their old admin addresses still open.
    re_path(
        r"^admin/articles/(?P<page>(?:partnerkey|webhookendpoint|webhookdelivery|embargofetch)/.*)$",
        views.moved_to_partners,
    ),
    path("admin/session/", sessions.session, name="admin_session"),
    path("admin/sign-in/", sessions.sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("partners.api.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", require_safe(sitemap_views.index), {"sitemaps": sitemaps}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        require_safe(sitemap_views.sitemap),
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path(
        "news-sitemap.xml",
        require_safe(sitemap_views.sitemap),
        {"sitemaps": {"news": NewsSitemap}, "template_name": "articles/news_sitemap.xml"},
        name="news-sitemap",
    ),
    path("newsletter/", include("newsletters.urls")),
    path("reads/", include("readership.urls")),
    path("", include("public.urls")),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", views.media, name="media")]


handler404 = "newsroom.views.not_found"

admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "The editorial desk"
admin.site.index_template = "admin/desk.html"  # articles.desk: what waits, by role
