from django.apps import AppConfig


class PublicConfig(AppConfig):
    """The reader site: pages, feeds, sitemaps and their presentation. No models of its own: it
    shows the content app's, through Article.objects.live()."""

    name = "public"
