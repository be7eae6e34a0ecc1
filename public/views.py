import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from articles.addresses import slug_url
from articles.labels import attach_labels
from articles.models import (
    Article,
    ArticleRedirect,
    Author,
    Category,
    Correction,
    LiveEntry,
    PendingChange,
)
from articles.pending import with_pending_applied
from articles.preview import article_for_preview_token, make_preview_token
from articles.search import SEARCH_WINDOW, normalize_query
from caching import tags
from public.cards import as_cards, more_to_read
from readership import ranking

# Past this many rows, a page first finds its ids (an index-only scan skips the offset cheaply),
# then reads just those rows: OFFSET over whole rows reads every skipped row too.
DEFERRED_JOIN_OFFSET = 240


def rows_in_order(queryset, ids) -> list:
    by_id = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def deferred_join(object_list, page_rows) -> list:
    return rows_in_order(object_list, list(page_rows.values_list("pk", flat=True)))


class ArticlesByIds:
    """A list known by its ids (in order), read a page of rows at a time by the paginator."""

    def __init__(self, queryset, ids: list):
        self.queryset, self.ids = queryset, ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list:
        return rows_in_order(self.queryset, self.ids[index])


class NextPageOnlyPage(Page):
    """A page that knows whether another follows, not how many do."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more


class CountlessPaginator(Paginator):
    """Pages without COUNT(*): each reads one row more than it shows, to know whether a next
    page exists. A count costs as much as the list is long, many times the page itself on a
    busy tag, so lists say "Page 3", not "Page 3 of 1,048"."""

    count = num_pages = None

    def validate_number(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer.") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1.")
        return number

    def page(self, number) -> NextPageOnlyPage:
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        window = self.object_list[offset : offset + self.per_page + 1]
        if offset >= DEFERRED_JOIN_OFFSET:
            rows = deferred_join(self.object_list, window)
        else:
            rows = list(window)
        if not rows and number > 1:
            raise EmptyPage("That page contains no results.")
        return NextPageOnlyPage(
            rows[: self.per_page], number, self, has_more=len(rows) > self.per_page
        )


class LiveArticlesMixin:
    """Every public list reads through Article.objects.live() with the card query plan."""

    paginate_by = settings.ARTICLES_PER_PAGE
    # Deep pages are capped rather than keyset-paginated: page 400 is ~9,600 articles back,
    # further than readers page; search, feeds and the API reach the rest.
    max_page = 400
    paginator_class = CountlessPaginator
    context_object_name = "articles"

    def get_queryset(self):
        return as_cards(Article.objects.live())

    def paginate_queryset(self, queryset, page_size):
        page = self.request.GET.get(self.page_kwarg, "1")
        if page.isdigit() and int(page) > self.max_page:
            raise Http404(f"Lists stop at page {self.max_page}: use search to go further back.")
        paginator, page, cards, has_other_pages = super().paginate_queryset(queryset, page_size)
        shown = [*self.cards_beside_the_list(), *cards]
        # Each card shows its first tag: the page's tags in one query.
        attach_labels(shown, with_authors=False)
        tags.add(*self.list_tags(), *(f"card:{card.pk}" for card in shown))
        return paginator, page, cards, has_other_pages

    def cards_beside_the_list(self) -> list:
        return []

    def list_tags(self) -> list[str]:
        """Which articles this list holds (articles.dependencies names the lists a change
        touches)."""
        return ["list:all"]


class HomeView(LiveArticlesMixin, ListView):
    template_name = "articles/home.html"

    def get(self, request, *args, **kwargs):
        self.top_story = as_cards(Article.objects.live()).filter(is_featured=True).first()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.top_story:
            queryset = queryset.exclude(pk=self.top_story.pk)
        return queryset

    def cards_beside_the_list(self) -> list:
        return [self.top_story] if self.top_story else []

    def get_context_data(self, **kwargs):
        return super().get_context_data(top_story=self.top_story, **kwargs)


class ArticleDetailView(DetailView):
    model = Article
    context_object_name = "article"

    def get_queryset(self):
        # Whether the article has notes, in its own row: most have none, and then no query.
        notes = Correction.objects.filter(article=OuterRef("pk"))
        return Article.objects.live().for_detail().annotate(has_corrections=Exists(notes))

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
        cards = more_to_read(self.object)
        # The article's tags and byline and its curated cards' tags, in one query (the
        # section's fill comes with its tags already).
        curated = [item.article for item in cards if item.article and not item.shared]
        attach_labels([self.object, *curated])
        tags.add(f"article:{self.object.pk}")
        return super().get_context_data(more_to_read=cards, **article_extras(self.object), **kwargs)


def article_extras(article: Article) -> dict:
    """The article's corrections and live coverage, read only when it has them."""
    # The detail view's query says whether there are any; a preview's article was loaded without.
    has_corrections = getattr(article, "has_corrections", None)
    if has_corrections is None:
        has_corrections = article.pk is not None and article.corrections.exists()
    corrections = list(article.corrections.all()) if has_corrections else []
    entries = []
    if article.has_live_coverage:
        entries = list(article.live_entries.select_related("author"))
    return {
        "corrections": corrections,
        "updated_note_at": max(
            (note.at for note in corrections if note.moves_update_time), default=None
        ),
        "live_entries": entries,
        "key_points": [entry for entry in entries if entry.is_key_point],
        "live_poll_seconds": settings.LIVE_POLL_SECONDS,
    }


# How many new entries one poll returns at most (a reader back after hours reloads instead).
LIVE_POLL_LIMIT = 50


@require_safe
def live_entries(request, slug):
    """Entries of a live article newer than `after` (an entry id), as HTML the page inserts.
    Served through the page cache like the page itself: answered from it, with an ETag (304
    when nothing is new), until the next entry moves the content version."""
    article = get_object_or_404(Article.objects.live(), slug=slug)
    tags.add(f"article:{article.pk}")
    if not article.has_live_coverage:
        raise Http404("This article has no live coverage.")
    after = request.GET.get("after", "0")
    if not after.isdigit() or len(after) > 18:
        return JsonResponse(
            {"detail": "`after` must be the id of the newest entry you have (a whole number)."},
            status=400,
        )
    newer = list(
        LiveEntry.objects.filter(article=article, pk__gt=int(after))
        .select_related("author")
        .order_by("-posted_at", "-id")[:LIVE_POLL_LIMIT]
    )
    return JsonResponse(
        {
            "live": article.is_live_coverage,
            "entries": [
                {
                    "id": entry.pk,
                    "html": render_to_string("articles/includes/live_entry.html", {"entry": entry}),
                }
                for entry in newer
            ],
        }
    )


class CorrectionListView(ListView):
    """The latest corrections and clarifications across the site, for transparency."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notes = context["corrections"] = list(context["corrections"])  # read once
        tags.add("corrections", *(f"card:{note.article_id}" for note in notes))
        return context

    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = CountlessPaginator

    def get_queryset(self):
        return (
            Correction.objects.filter(
                kind__in=[Correction.Kind.CORRECTION, Correction.Kind.CLARIFICATION],
                article__in=Article.objects.live(),
            )
            .select_related("article")
            .only("kind", "text", "at", "article__slug", "article__title")
        )


class CategoryArticleListView(LiveArticlesMixin, ListView):
    template_name = "articles/article_list.html"

    def get_queryset(self):
        self.category = Category.objects.public().filter(slug=self.kwargs["slug"]).first()
        if self.category is None:
            raise Http404("No section at this address.")
        return super().get_queryset().filter(category=self.category)

    def list_tags(self) -> list[str]:
        return [f"list:section:{self.category.pk}"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.category.name,
            kicker="Category",
            description=self.category.description,
            feed_url=slug_url("articles:category_feed", self.category.slug),
            category=self.category,
            active_category=self.category.slug,  # the menu marks it aria-current
            **kwargs,
        )


class TagArticleListView(LiveArticlesMixin, ListView):
    template_name = "articles/article_list.html"
    # A tag used only by drafts or scheduled pieces must not reveal itself.
    allow_empty = False

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def list_tags(self) -> list[str]:
        return [f"list:tag:{self.tag.slug}"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.tag.name,
            kicker="Tag",
            feed_url=slug_url("articles:tag_feed", self.tag.slug),
            **kwargs,
        )


class AuthorArticleListView(LiveArticlesMixin, ListView):
    template_name = "articles/article_list.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(authors=self.author)

    def list_tags(self) -> list[str]:
        return [f"list:author:{self.author.slug}", f"author:{self.author.slug}"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.author.name, kicker="Author", description=self.author.bio, **kwargs
        )


class SearchView(LiveArticlesMixin, ListView):
    template_name = "articles/search.html"
    max_query_length = 200
    window = SEARCH_WINDOW
    paginator_class = Paginator  # the window's length is the count

    def get_queryset(self):
        self.query = normalize_query(self.request.GET.get("q", "")[: self.max_query_length])
        cards = super().get_queryset()
        return ArticlesByIds(cards, cards.search_window(self.query, size=self.window))

    def list_tags(self) -> list[str]:
        return ["list:all", "search"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.query,
            window_full=len(self.object_list) == self.window,
            **kwargs,
        )


def render_preview(request, article, *, pending=None):
    """The article exactly as its public page would show it, with a banner (and, for staff, the
    links to share it); never indexed or cached. With `pending`: as its changes saved for later
    will make it."""
    context = {
        "article": article,
        "more_to_read": more_to_read(article),
        **article_extras(article),
        "preview": True,
        "pending": pending is not None,
    }
    if request.user.is_staff:
        tokens = (
            [make_preview_token(article, pending=pending)] * 2
            if pending
            else [make_preview_token(article), make_preview_token(article, pin_version=True)]
        )
        context["share_url"], context["share_version_url"] = (
            request.build_absolute_uri(reverse("articles:preview", args=[token]))
            for token in tokens
        )
    response = TemplateResponse(request, "articles/article_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    return response


@require_safe
def staff_preview(request, pk):
    """The admin's Preview button (behind the admin's login): the article as readers would see
    it, with links to share it; `?pending=1`: with its changes saved for later."""
    article = get_object_or_404(Article.objects.for_detail(), pk=pk)
    if not (
        request.user.has_perm("articles.view_article")
        or request.user.has_perm("articles.change_article")
    ):
        raise PermissionDenied
    if "pending" in request.GET:
        pending = PendingChange.objects.filter(article=article).first()
        if pending is None:
            raise Http404("No changes are waiting to be published.")
        return render_preview(request, with_pending_applied(article, pending), pending=pending)
    return render_preview(request, article)


@require_safe
def preview(request, token):
    opened = article_for_preview_token(token)
    if opened is None:
        raise Http404("This preview link is invalid or has expired.")
    article, pending = opened
    return render_preview(request, article, pending=pending)


@require_safe
def most_read(request):
    """The most-read articles of the last 24 hours and 7 days: a page of its own, and what the
    "Most read" block of the home and article pages loads after them."""
    response = TemplateResponse(
        request,
        "articles/most_read.html",
        {"most_read_day": ranking.most_read("24h"), "most_read_week": ranking.most_read("7d")},
    )
    # The lists follow time, not changes: rebuilt each minute (readership.ranking), they are kept
    # (by browsers, this site's page cache, a cache in front) until the minute ends.
    patch_cache_control(response, public=True, max_age=max(1, 60 - int(time.time()) % 60))
    return response
