"""Reads of articles by the hour: counts only, nothing about who read."""

from django.db import models

from articles.models import Article


class ReadCount(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(help_text="The start of the hour (UTC) the reads were counted in.")
    reads = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hour", "article"], name="one_count_per_article_hour")
        ]
        ordering = ["-hour", "-reads"]

    def __str__(self):
        return f"{self.reads} reads of article {self.article_id} at {self.hour:%Y-%m-%d %H:00}"


class FoldedMinute(models.Model):
    """A minute of one cache's counts, folded into ReadCount: written in the same transaction,
    so a minute is never folded twice (a cache is the shared cache, or one process's memory)."""

    minute = models.DateTimeField()
    cache_id = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["minute", "cache_id"], name="one_fold_per_minute")
        ]

    def __str__(self):
        return f"{self.minute:%Y-%m-%d %H:%M} of {self.cache_id}"
