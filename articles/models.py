import math
import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connections, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from articles.addresses import slug_url
from articles.images import validate_hero_image
from articles.labels import TagLabel
from articles.querysets import ArticleManager, CategoryQuerySet, RelatedLinkQuerySet
from articles.sanitize import sanitize_html
from articles.search import search_vector
from articles.visibility import (
    ArticleStatus,
    coverage_runs,
    is_embargoed_copy_state,
    is_live_state,
    is_under_embargo,
    was_embargoed_copy,
    was_live,
)

WORDS_PER_MINUTE = 230
# What a list shows of an article besides its place in it: kept from before a save, so that the
# save's receivers know whether lists showing the article changed (articles.dependencies).
CARD_STATE = (
    "title",
    "summary",
    "label",
    "hero_image",
    "hero_renditions",
    "is_featured",
    "category_id",
    "live_coverage_started_at",
    "live_coverage_ended_at",
)
validate_web_url = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting with http:// or https://."
)


class Category(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the site menu: lower numbers come first."
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("articles:category", self.slug)


class Author(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    bio = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The staff account that writes as this author, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("articles:author", self.slug)


class Article(models.Model):
    Status = ArticleStatus

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the article's address: /articles/this-slug/.",
    )
    summary = models.TextField(
        max_length=600, help_text="The standfirst: one or two sentences shown under the headline."
    )
    body = models.TextField(
        blank=True, help_text="HTML. Scripts, styles and unknown tags are removed on save."
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    tags = TaggableManager(
        through="articles.TaggedArticle", blank=True, help_text="A comma-separated list of tags."
    )
    authors = models.ManyToManyField(Author, blank=True, related_name="articles")
    label = models.CharField(
        max_length=30, blank=True, help_text='A short kicker such as "Top", "Breaking", "Analysis".'
    )
    is_featured = models.BooleanField(
        "featured", default=False, help_text="The newest featured live article leads the home page."
    )
    hero_image = models.ImageField(
        upload_to="heroes/%Y/%m/",
        blank=True,
        db_index=True,  # which article shows a file: articles.media
        validators=[validate_hero_image],
        help_text="JPEG, PNG or WebP, at most 10 MB and 40 megapixels.",
        width_field="hero_width",
        height_field="hero_height",
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_renditions = models.JSONField(default=dict, blank=True, editable=False)
    # The digest its renditions are filed under (renditions/<digest>/…): which article shows a
    # rendition, asked by articles.media before serving it.
    hero_digest = models.CharField(max_length=16, blank=True, editable=False, db_index=True)
    hero_alt = models.CharField(
        "hero alt text",
        max_length=250,
        blank=True,
        help_text="What the image shows, for readers who can't see it.",
    )
    hero_caption = models.CharField(max_length=300, blank=True)
    hero_credit = models.CharField(
        max_length=200, blank=True, help_text='For example "Photo by Ana Ruiz for Newsroom".'
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A published article goes live at this time; a future time schedules it. "
        "Left empty, publishing uses the current time.",
    )
    embargoed_until = models.DateTimeField(
        "embargoed until",
        null=True,
        blank=True,
        help_text="Hidden from readers and from every partner key until this time, even when "
        "published; keys with the “embargoed copy” permission see it ahead, marked as such.",
    )
    live_coverage_started_at = models.DateTimeField(
        "live coverage started",
        null=True,
        blank=True,
        help_text="Set to run live coverage: readers get timestamped entries as they are posted.",
    )
    live_coverage_ended_at = models.DateTimeField(
        "live coverage ended", null=True, blank=True, help_text="Set when the coverage is over."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    reading_time_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    # PostgreSQL full-text search (GIN-indexed there); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    seo_title = models.CharField("SEO title", max_length=70, blank=True)
    seo_description = models.CharField("SEO description", max_length=160, blank=True)
    canonical_url = models.URLField(
        blank=True,
        validators=[validate_web_url],
        help_text="Only for syndicated pieces: the original's address.",
    )

    objects = ArticleManager()
    history = HistoricalRecords(
        m2m_fields=[authors],
        excluded_fields=[
            "reading_time_minutes",
            "hero_width",
            "hero_height",
            "hero_renditions",
            "hero_digest",
            "search_vector",
        ],
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [("publish_article", "Can publish, schedule and unpublish articles")]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="article_live_idx"),
            models.Index(
                fields=["category", "status", "-published_at", "-id"],
                name="article_category_live_idx",
            ),
            models.Index(fields=["-updated_at"], name="article_updated_idx"),
            # When embargoes lift (the cache's schedule, caching.freshness): rows with one only.
            models.Index(
                fields=["embargoed_until"],
                condition=Q(embargoed_until__isnull=False),
                name="article_embargo_idx",
            ),
            # The home page's top story: the newest live featured article, found without
            # walking every live article when few are featured.
            models.Index(
                fields=["status", "-published_at", "-id"],
                condition=Q(is_featured=True),
                name="article_featured_live_idx",
            ),
        ]

    def __str__(self):
        return self.title

    # The stored row (version, slug, status, published_at, CARD_STATE) as the last save() found it, for
    # receivers of post_save that react to a change of state (see articles.signals).
    state_before_save: dict | None = None

    @transaction.atomic
    def save(self, *args, expected_version: int | None = None, **kwargs):
        """Save; with expected_version, refuse (ArticleConflict) if someone saved in between.

        Derives the article's own fields and keeps the redirect rule; what other records follow
        from a save (search index, withdrawal tombstones) is in articles.signals.
        """
        previous = None
        if self.pk is not None and not self._state.adding:
            previous = self._claim_next_version(expected_version)
            if previous:
                self.version = previous["version"]
        self.state_before_save = previous
        self.body = sanitize_html(self.body)
        self.reading_time_minutes = reading_time(self.body)
        self._refresh_renditions()
        if self.status == self.Status.PUBLISHED:
            if self.published_at is None:
                self.published_at = timezone.now()
            if self.first_published_at is None:
                self.first_published_at = self.published_at
        super().save(*args, **kwargs)
        # Whatever redirect used this slug is spent: the address is this article's now.
        ArticleRedirect.objects.filter(old_slug=self.slug).delete()
        if previous:
            self._record_slug_change(previous["slug"])

    def get_absolute_url(self):
        return slug_url("articles:detail", self.slug)

    # Set by a form where the editor explicitly chose to take over another article's old slug.
    allow_slug_takeover = False

    def clean(self):
        started, ended = self.live_coverage_started_at, self.live_coverage_ended_at
        if ended and not started:
            raise ValidationError(
                {"live_coverage_ended_at": "Coverage can't end before it starts."}
            )
        if started and ended and ended < started:
            raise ValidationError(
                {"live_coverage_ended_at": "The end of live coverage must follow its start."}
            )
        if self.hero_image and not self.hero_alt.strip():
            raise ValidationError({"hero_alt": "Describe the image for readers who can't see it."})
        taken = ArticleRedirect.objects.filter(old_slug=self.slug)
        if self.pk:
            taken = taken.exclude(article_id=self.pk)
        if self.slug and not self.allow_slug_takeover and taken.exists():
            raise ValidationError(
                {
                    "slug": "This address used to belong to another article and still redirects "
                    "there. Choose another slug, or tick “take over this address”."
                }
            )

    @property
    def is_live(self) -> bool:
        return is_live_state(self.status, self.published_at, self.embargoed_until)

    @property
    def goes_live_at(self):
        """When a published article is live from: querysets.goes_live_at() for one article."""
        return max(filter(None, [self.published_at, self.embargoed_until]), default=None)

    @property
    def is_under_embargo(self) -> bool:
        return is_under_embargo(self.embargoed_until)

    @property
    def is_live_coverage(self) -> bool:
        """Live coverage is running: started, and not yet ended."""
        return coverage_runs(self.live_coverage_started_at, self.live_coverage_ended_at)

    @property
    def has_live_coverage(self) -> bool:
        """Live coverage has started (it may be over): the page shows its entries."""
        started = self.live_coverage_started_at
        return started is not None and started <= timezone.now()

    @property
    def was_live_before_save(self) -> bool:
        return bool(self.state_before_save) and was_live(self.state_before_save)

    @property
    def is_embargoed_copy(self) -> bool:
        return is_embargoed_copy_state(self.status, self.embargoed_until)

    @property
    def withdrawn_from(self) -> str | None:
        """Whom the last save() took the article from (ArticleWithdrawal.Audience), if anyone:
        readers and every key when it was live, or only keys with the embargoed-copy permission
        (they see it while under embargo)."""
        previous = self.state_before_save
        if not previous:
            return None
        if was_live(previous) and not self.is_live:
            if self.is_embargoed_copy:
                return ArticleWithdrawal.Audience.PUBLIC_COPY
            return ArticleWithdrawal.Audience.EVERYONE
        if was_embargoed_copy(previous) and not (self.is_live or self.is_embargoed_copy):
            return ArticleWithdrawal.Audience.EMBARGOED_COPY
        return None

    @property
    def went_offline(self) -> bool:
        """Whether the last save() took a live article off the site."""
        previous = self.state_before_save
        return bool(previous) and was_live(previous) and not self.is_live

    @property
    def tag_list(self) -> list:
        """Tags with slug, name and URL: the labels a listing query attached, else the rows."""
        labels = getattr(self, "tag_labels", None)
        if labels is None:
            labels = [TagLabel(tag.slug, tag.name) for tag in self.tags.all()]
        return labels

    @property
    def author_list(self) -> list:
        labels = getattr(self, "author_labels", None)
        return labels if labels is not None else list(self.authors.all())

    @property
    def first_tag(self):
        """The tag a card shows: the first one added."""
        tags = self.tag_list
        return tags[0] if tags else None

    def refresh_search_vector(self) -> bool:
        """Index the article's words (PostgreSQL only); whether there was anything to do."""
        if connections[Article.objects.db].vendor != "postgresql":
            return False
        tags = " ".join(self.tags.names()) if self.pk else ""
        return bool(Article.objects.filter(pk=self.pk).update(search_vector=search_vector(tags)))

    def _refresh_renditions(self) -> None:
        if not self.hero_image:
            self.hero_renditions, self.hero_digest = {}, ""
            return
        # The field's own pre_save stores a new upload first (once: save() calling it again
        # finds it stored), so the renditions record the upload's final name.
        hero = self._meta.get_field("hero_image").pre_save(self, self._state.adding)
        if self.hero_renditions.get("source") != hero.name:
            # A new image: its renditions are made in the background (articles.tasks, from
            # articles.signals); until then pages show the original at its own size.
            self.hero_renditions, self.hero_digest = {}, ""
            # FieldFile.save() does not refresh width_field/height_field (Django 5.1+), and rows
            # left without them make every later load read the image file to measure it.
            self._meta.get_field("hero_image").update_dimension_fields(self, force=True)

    def srcset(self, fmt: str) -> str:
        return ", ".join(
            f"{url} {width}w"
            for width, _, url, _ in self.hero_renditions.get("formats", {}).get(fmt, [])
        )

    @property
    def hero_fallback(self) -> dict | None:
        """The largest JPEG rendition: feeds' enclosure and the <img> fallback."""
        jpegs = self.hero_renditions.get("formats", {}).get("jpeg", [])
        if not jpegs:
            return None
        width, height, url, size = jpegs[-1]
        return {"width": width, "height": height, "url": url, "size": size}

    def _claim_next_version(self, expected_version: int | None) -> dict | None:
        """Bump the stored version and return the stored row as it was (with the new version).

        The check and the bump are one UPDATE: of two concurrent saves from the same version,
        exactly one matches the row, which then stays locked until this transaction ends.
        """
        rows = Article.objects.filter(pk=self.pk)
        if expected_version is not None:
            rows = rows.filter(version=expected_version)
        if not rows.update(version=models.F("version") + 1):
            if expected_version is not None:
                raise ArticleConflict(self, expected_version)
            return None
        return (
            Article.objects.filter(pk=self.pk)
            .values("version", "slug", "status", "published_at", "embargoed_until", *CARD_STATE)
            .first()
        )

    def _record_slug_change(self, previous_slug: str) -> None:
        # A slug that was never public needs no redirect; one that was keeps working forever.
        # Redirects point at the article, not at a slug, so a→b→c chains collapse by design.
        if previous_slug != self.slug and self.first_published_at:
            ArticleRedirect.objects.update_or_create(
                old_slug=previous_slug, defaults={"article": self}
            )


class ArticleConflict(Exception):
    """Someone saved the article after the version this change started from."""

    def __init__(self, article: "Article", expected_version: int):
        self.article = article
        self.expected_version = expected_version
        super().__init__(f"Article {article.pk} changed since version {expected_version}.")


def reading_time(html: str) -> int:
    words = len(re.findall(r"\w+", strip_tags(html)))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


class TaggedArticle(TaggedItemBase):
    """Tags on articles, through a real foreign key (taggit's default Tag).

    Not taggit's generic TaggedItem: its integer object_id can't be joined to our bigint keys
    without a cast, so tag pages could not use an index.
    """

    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_once")
        ]
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_article_tag_idx")]

    def __str__(self):
        return f"{self.content_object_id} · {self.tag_id}"


class RelatedLink(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="linked_from",
        help_text="Another article of ours…",
    )
    url = models.URLField(
        "external URL",
        max_length=500,
        blank=True,
        validators=[validate_web_url],
        help_text="…or an external web address (http or https).",
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="Optional; defaults to the article's headline."
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = RelatedLinkQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target__isnull=False) & Q(url=""))
                | (Q(target__isnull=True) & ~Q(url="")),
                name="relatedlink_target_xor_url",
            ),
        ]

    def __str__(self):
        return self.title or (self.target.title if self.target_id else self.url)

    def clean(self):
        if bool(self.target_id) == bool(self.url):
            raise ValidationError(
                "Choose either an article or an external URL, not both or neither."
            )
        if self.url and not self.title:
            raise ValidationError({"title": "An external link needs a title."})
        if self.target_id and self.target_id == self.article_id:
            raise ValidationError({"target": "An article can't link to itself."})


class ArticleRedirect(models.Model):
    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


class ArticleWithdrawal(models.Model):
    """A tombstone: a live article was unpublished or deleted. Partners sync removals from it."""

    class Reason(models.TextChoices):
        UNPUBLISHED = "unpublished", "Unpublished"
        DELETED = "deleted", "Deleted"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Every key (the article was live)"
        PUBLIC_COPY = "public", "Keys without the embargoed-copy permission (now under embargo)"
        EMBARGOED_COPY = "embargoed", "Keys with the embargoed-copy permission (it was embargoed)"

    article_id = models.BigIntegerField(db_index=True)
    slug = models.SlugField(max_length=200)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    withdrawn_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Which keys' feed gives the tombstone: those that saw the article until then.
    audience = models.CharField(max_length=9, choices=Audience.choices, default=Audience.EVERYONE)

    class Meta:
        ordering = ["withdrawn_at", "id"]

    def __str__(self):
        return f"{self.slug} ({self.reason} {self.withdrawn_at:%Y-%m-%d %H:%M})"

    @classmethod
    def record(cls, article: Article, *, reason: str, audience: str) -> "ArticleWithdrawal":
        """The tombstone, also kept on the article for the other receivers of this change
        (partners' webhooks give exactly this entry)."""
        article.withdrawal = cls.objects.create(
            article_id=article.pk, slug=article.slug, reason=reason, audience=audience
        )
        return article.withdrawal


def touch_article(article_id: int) -> None:
    """Move the article's updated_at (feeds, sitemaps, the API's changes feed) without a save:
    its notes and live entries are part of it."""
    Article.objects.filter(pk=article_id).update(updated_at=timezone.now())


class Correction(models.Model):
    """A note on a published article: a correction, a clarification or an update. Kept with
    its history: only editors change or remove one, and a removal stays on record."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(
        max_length=1000,
        help_text="What was wrong and what is right now; short. Links and emphasis allowed.",
    )
    at = models.DateTimeField("time", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "-at"], name="correction_kind_at_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.article_id}, {self.at:%Y-%m-%d %H:%M}"

    @transaction.atomic
    def save(self, *args, **kwargs):
        self.text = sanitize_html(self.text)
        # The article's updated_at moves in the same transaction and first, so the content
        # version (bumped by this save's signal) never comes before it, and receivers of
        # post_save (webhooks) see the new time.
        touch_article(self.article_id)
        super().save(*args, **kwargs)

    def clean(self):
        if self.article_id and not self.article.is_live:
            raise ValidationError(
                "Corrections and updates are for published, live articles: this one is not."
            )
        if not strip_tags(sanitize_html(self.text)).strip():
            raise ValidationError({"text": "Write the note's text."})

    @property
    def moves_update_time(self) -> bool:
        """Corrections and updates show "Updated <time>" beside the publication time."""
        return self.kind in (self.Kind.CORRECTION, self.Kind.UPDATE)


class LiveEntry(models.Model):
    """One timestamped entry of an article's live coverage."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_entries")
    body = models.TextField(
        max_length=5000, help_text="A few sentences. Links and emphasis allowed."
    )
    image = models.ImageField(
        upload_to="live/%Y/%m/",
        db_index=True,  # which entry shows a file: articles.media
        blank=True,
        validators=[validate_hero_image],
        width_field="image_width",
        height_field="image_height",
        help_text="Optional. JPEG, PNG or WebP, at most 10 MB.",
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField("image alt text", max_length=250, blank=True)
    is_key_point = models.BooleanField(
        "key point", default=False, help_text="Key points are listed on top of the coverage."
    )
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_entries"
    )
    posted_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when a posted entry is changed: readers see that it was edited, and when.
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["image_width", "image_height"])

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name_plural = "live entries"
        indexes = [models.Index(fields=["article", "-id"], name="liveentry_article_idx")]

    def __str__(self):
        return f"{self.posted_at:%H:%M} · {self.excerpt}"

    @transaction.atomic
    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        if not self._state.adding:
            self.edited_at = timezone.now()
        # The article's updated_at moves in the same transaction and first, so the content
        # version (bumped by this save's signal) never comes before it, and receivers of
        # post_save (webhooks) see the new time.
        touch_article(self.article_id)
        super().save(*args, **kwargs)

    def clean(self):
        article = self.article if self.article_id else None
        if article is not None and not (article.is_live and article.is_live_coverage):
            raise ValidationError(
                "Entries are posted to a live article whose live coverage is running: "
                "start its coverage (and publish it) first."
            )
        if not strip_tags(sanitize_html(self.body)).strip():
            raise ValidationError({"body": "Write the entry's text."})
        if self.image and not self.image_alt.strip():
            raise ValidationError({"image_alt": "Describe the image for readers who can't see it."})

    @property
    def excerpt(self) -> str:
        """The entry's first words, as text: how lists name it."""
        return strip_tags(self.body)[:60]


class WorkingCopy(models.Model):
    """What an editor typed into an article's form and has not saved: one per editor and
    article, overwritten by each autosave and deleted by their Save. Never public, never in
    the article's history, and no cache depends on it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="working_copies")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_copies"
    )
    # The form's fields as posted (name -> list of values), inline forms included; no files.
    data = models.JSONField()
    # The article's version the editor started from: restoring onto a newer one is a conflict.
    base_version = models.PositiveIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "editor"], name="one_working_copy_each")
        ]

    def __str__(self):
        return f"{self.editor}'s unsaved changes to {self.article}"


class PendingChange(models.Model):
    """Changes to a live article saved for later: previewable and shareable, invisible to
    readers until an editor publishes them (then they are an ordinary save). One per article."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="pending_change")
    # The change form's fields as posted (name -> list of values), inline forms included.
    data = models.JSONField()
    # The version the changes were made against: publishing them onto a newer one is a conflict.
    base_version = models.PositiveIntegerField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField()

    def __str__(self):
        return f"Changes to {self.article} saved for later"


class EditorialNote(models.Model):
    """A note between the desk's staff on an article: a remark, a reply, or the changes an
    editor asked for when returning a piece to its writer. Never shown outside the admin."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="editorial_notes")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(max_length=2000)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["written_at", "pk"]
        indexes = [models.Index(fields=["article", "resolved_at"], name="note_article_open_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.article}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
