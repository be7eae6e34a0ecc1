import contextlib
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from articles.freshness import caching_enabled, snapshot
from articles.models import Article, ArticleRedirect, Author, Category
from articles.preview import article_for_preview_token
from articles.querysets import normalize_query

# Past this many rows, a page first finds its ids (an index-only scan skips the offset cheaply),
# then reads just those rows: OFFSET over whole rows reads every skipped row too.
DEFERRED_JOIN_OFFSET = 240


def deferred_join(object_list, page_rows) -> list:
    ids = list(page_rows.values_list("pk", flat=True))
    by_id = {row.pk: row for row in object_list.order_by().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids]


class CachedCountPaginator(Paginator):
    """Counts a list once per content state instead of on every page of it."""

    def __init__(self, *args, count_key: str | None, max_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key
        self.max_count = max_count

    def capped_count(self) -> int:
        """Lists stop at max_page, so counting stops there too: COUNT(*) over a LIMIT, without
        the list's order or search rank, costs the same on 100,000 articles as on 10,000 (a
        full count took 100 ms there)."""
        return self.object_list.order_by().values("pk")[: self.max_count].count()

    def page(self, number):
        page = super().page(number)
        offset = (page.number - 1) * self.per_page
        if offset >= DEFERRED_JOIN_OFFSET:
            page.object_list = deferred_join(self.object_list, page.object_list)
        return page

    @cached_property
    def count(self):
        if self.count_key is None:  # caching is off
            return self.capped_count()
        try:
            count = cache.get(self.count_key)
        except Exception:
            count = None
        if count is None:
            count = self.capped_count()
            with contextlib.suppress(Exception):
                cache.set(self.count_key, count, snapshot().ttl)
        return count


class LiveArticlesMixin:
    """Every public list reads through Article.objects.live() with the card query plan."""

    paginate_by = settings.ARTICLES_PER_PAGE
    # Deep pages are capped rather than keyset-paginated: page 400 is ~9,600 articles back,
    # further than readers page; search, feeds and the API reach the rest.
    max_page = 400
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.live().for_cards()

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        params = self.request.GET.copy()
        params.pop(self.page_kwarg, None)
        signature = f"{self.request.path}?{params.urlencode()}"
        digest = hashlib.md5(signature.encode(), usedforsecurity=False).hexdigest()
        return CachedCountPaginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            count_key=f"newsroom:count:{snapshot().version}:{digest}"
            if caching_enabled()
            else None,
            max_count=self.max_page * per_page,
        )

    def paginate_queryset(self, queryset, page_size):
        page = self.request.GET.get(self.page_kwarg, "1")
        if page.isdigit() and int(page) > self.max_page:
            raise Http404(f"Lists stop at page {self.max_page}: use search to go further back.")
        return super().paginate_queryset(queryset, page_size)


class HomeView(LiveArticlesMixin, ListView):
    template_name = "articles/home.html"

    def get(self, request, *args, **kwargs):
        self.top_story = Article.objects.live().for_cards().filter(is_featured=True).first()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.top_story:
            queryset = queryset.exclude(pk=self.top_story.pk)
        return queryset

    def get_context_data(self, **kwargs):
        return super().get_context_data(top_story=self.top_story, **kwargs)


class ArticleDetailView(DetailView):
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.live().for_detail()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = (
                ArticleRedirect.objects.filter(
                    old_slug=kwargs["slug"], article__in=Article.objects.live()
                )
                .select_related("article")
                .first()
            )
            if moved is None:
                raise
            return redirect(moved.article, permanent=True)

    def get_context_data(self, **kwargs):
        return super().get_context_data(more_to_read=self.object.more_to_read(), **kwargs)


class CategoryArticleListView(LiveArticlesMixin, ListView):
    template_name = "articles/article_list.html"

    def get_queryset(self):
        self.category = get_object_or_404(Category.objects.public(), slug=self.kwargs["slug"])
        return super().get_queryset().filter(category=self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.category.name,
            kicker="Category",
            description=self.category.description,
            feed_url=f"{self.category.get_absolute_url()}feed/",
            category=self.category,
            **kwargs,
        )


class TagArticleListView(LiveArticlesMixin, ListView):
    template_name = "articles/article_list.html"
    # A tag used only by drafts or scheduled pieces must not reveal itself.
    allow_empty = False

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.tag.name, kicker="Tag", feed_url=f"/tags/{self.tag.slug}/feed/", **kwargs
        )


class AuthorArticleListView(LiveArticlesMixin, ListView):
    template_name = "articles/article_list.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.author.name, kicker="Author", description=self.author.bio, **kwargs
        )


class SearchView(LiveArticlesMixin, ListView):
    template_name = "articles/search.html"
    max_query_length = 200

    def get_queryset(self):
        self.query = normalize_query(self.request.GET.get("q", "")[: self.max_query_length])
        return super().get_queryset().search(self.query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)


def render_preview(request, article, *, extra_context=None):
    """The article exactly as its public page would show it, with a banner; never indexed or
    cached."""
    context = {
        "article": article,
        "more_to_read": article.more_to_read(),
        "preview": True,
        **(extra_context or {}),
    }
    response = TemplateResponse(request, "articles/article_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response


@require_safe
def preview(request, token):
    article = article_for_preview_token(token)
    if article is None:
        raise Http404("This preview link is invalid or has expired.")
    return render_preview(request, article)
