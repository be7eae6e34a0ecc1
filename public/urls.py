from django.urls import path, register_converter
from django.views.decorators.http import require_safe

from public import feeds, views


class UnicodeSlugConverter:
    """Tag slugs may be unicode words and hyphens; nothing else reaches the database."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UnicodeSlugConverter, "uslug")

# The URL names are the content's addresses (Article.get_absolute_url() and the templates
# reverse "articles:detail", "articles:category", …): they keep the name they always had.
app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("articles/<slug:slug>/live/", views.live_entries, name="live_entries"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path("categories/<slug:slug>/", views.CategoryArticleListView.as_view(), name="category"),
    path("categories/<slug:slug>/feed/", require_safe(feeds.CategoryFeed()), name="category_feed"),
    path("tags/<uslug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("tags/<uslug:slug>/feed/", require_safe(feeds.TagFeed()), name="tag_feed"),
    path("authors/<slug:slug>/", views.AuthorArticleListView.as_view(), name="author"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("most-read/", views.most_read, name="most_read"),
    path("feed/", require_safe(feeds.LatestArticlesFeed()), name="feed"),
    path("preview/<str:token>/", views.preview, name="preview"),
]
