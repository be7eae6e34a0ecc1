from django.db import models


class ContentGeneration(models.Model):
    """One row counting changes to public content: the version every cache layer keys on.

    Every change that a declaration (caching.dependencies) says is public bumps it in the same
    transaction (caching.freshness.content_changed), so no process can see the new count before
    the data it stands for.
    """

    value = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    class Meta:
        db_table = (
            "articles_contentgeneration"  # made by the articles app before caching had its own
        )

    def __str__(self):
        return f"content generation {self.value}"
