import copy

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.html import escape
from taggit.models import Tag

from articles.addresses import slug_url
from articles.labels import attach_labels
from articles.models import Article, Category
from caching import tags
from public.cards import UNSHOWN_FIELDS

FEED_SIZE = 20


class NewsroomRssFeed(Rss201rev2Feed):
    """RSS 2.0 with each item's last change as <atom:updated> (RSS has no element of its own):
    a correction, an update or a live entry tells feed readers the item changed."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("updateddate") is not None:
            handler.addQuickElement("atom:updated", item["updateddate"].isoformat())


def feed_items(articles, *, holding: str) -> list:
    """The newest FEED_SIZE articles with their section, tags and byline; no body. `holding`
    names the list (caching.tags); items name their rows, and their sections' names the menu."""
    newest = attach_labels(list(articles.for_detail().defer(*UNSHOWN_FIELDS)[:FEED_SIZE]))
    tags.add(holding, "menu", *(f"row:{article.pk}" for article in newest))
    return newest


class LatestArticlesFeed(Feed):
    feed_type = NewsroomRssFeed

    def title(self):
        return f"{settings.SITE_NAME}: latest articles"

    def description(self):
        return f"The newest articles from {settings.SITE_NAME}."

    def __call__(self, request, *args, **kwargs):
        # One instance serves every request: work on a copy that knows this request.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def link(self):
        return reverse("articles:home")

    def items(self):
        return feed_items(Article.objects.live(), holding="list:all")

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Feed readers render the description as HTML; the summary is plain text.
        return escape(item.summary)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.author_list) or None

    def item_enclosure_url(self, item):
        if not item.hero_fallback:
            return None
        return self.request.build_absolute_uri(item.hero_fallback["url"])

    def item_enclosure_length(self, item):
        return item.hero_fallback["size"] if item.hero_fallback else None

    def item_enclosure_mime_type(self, item):
        return "image/jpeg" if item.hero_fallback else None

    def item_categories(self, item):
        return [item.category.name, *(tag.name for tag in item.tag_list)]


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category.objects.public(), slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj):
        return escape(obj.description or f"The newest articles in {obj.name}.")

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return feed_items(
            Article.objects.live().filter(category=obj), holding=f"list:section:{obj.pk}"
        )


class TagFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        if not Article.objects.live().filter(tags=tag).exists():
            raise Http404("No live article carries this tag.")
        return tag

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj):
        return escape(f"The newest articles tagged {obj.name}.")

    def link(self, obj):
        return slug_url("articles:tag", obj.slug)

    def items(self, obj):
        return feed_items(Article.objects.live().filter(tags=obj), holding=f"list:tag:{obj.slug}")
