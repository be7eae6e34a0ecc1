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


class TagCount(models.Model):
    """How many times a change named a cache tag (caching.tags), counted in stripes.

    A change adds one, in its own transaction, to a stripe of each tag it names that no other
    open transaction holds (or to a new stripe): two changes naming the same tag never wait for
    each other. A tag's count is the sum of its stripes; sums only grow, whatever order the
    transactions commit in, so an entry built before a change always finds a larger count after.
    """

    tag = models.CharField(max_length=200)
    stripe = models.PositiveIntegerField(default=0)
    count = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag", "stripe"], name="tagcount_once")]

    def __str__(self):
        return f"{self.tag}[{self.stripe}] = {self.count}"
