from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    """The content: articles, sections, authors, related links, corrections, live entries. It
    depends on nothing above it (the reader site and partners build on it)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self):
        from articles import signals  # noqa: F401  (connects the receivers)
        from articles.dependencies import declare_all

        declare_all()
