from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone

from articles.addresses import slug_url
from articles.models import Article, Author, Category
from articles.querysets import live_tags
from caching import tags

NEWS_WINDOW = timedelta(hours=48)
# What a sitemap shows: which articles, sections, tags and authors there are, and when each article
# last changed (caching.tags).
SITEMAP_TAGS = ("list:all", "rows", "menu")


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    limit = 50000

    def items(self):
        tags.add(*SITEMAP_TAGS)
        return Article.objects.live().only("slug", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(Sitemap):
    """Site-wide pages that are not lists of one section: the corrections log."""

    changefreq = "daily"

    def items(self):
        tags.add(*SITEMAP_TAGS)
        return ["articles:corrections"]

    def location(self, item):
        return reverse(item)


class CategorySitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        tags.add(*SITEMAP_TAGS)
        return Category.objects.public()


class TagSitemap(Sitemap):
    changefreq = "daily"
    limit = 50000

    def items(self):
        tags.add(*SITEMAP_TAGS)
        return live_tags()

    def location(self, item):
        return slug_url("articles:tag", item.slug)


class AuthorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        tags.add(*SITEMAP_TAGS)
        return Author.objects.filter(articles__in=Article.objects.live()).distinct()


class NewsSitemap(Sitemap):
    """Google News sitemap: live articles of the last 48 hours."""

    limit = 1000

    def items(self):
        tags.add(*SITEMAP_TAGS)
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.live()
            .filter(published_at__gte=since)
            .only("slug", "title", "published_at", "updated_at")
        )

    def lastmod(self, item):
        return item.updated_at
