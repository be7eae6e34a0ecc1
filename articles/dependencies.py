"""What a change of each content model makes stale, declared to the cache layer
(caching.dependencies) by ArticlesConfig.ready(); and the publication schedule the cache's
version follows (caching.freshness.watch_schedule).

The tags (what responses name while they are built, caching.tags):

- `article:<id>`: everything about one article: its page, its live entries' poll, its API detail;
- `card:<id>`: its card in an HTML list (title, summary, kicker, image, date, section, live label);
- `row:<id>`: its item in the API's lists and the feeds (which also show when it was updated);
- `rows`: any article's row (the sitemaps' last-modified times, the changes feed);
- `list:all`, `list:section:<id>`, `list:tag:<slug>`, `list:author:<slug>`: which articles a list
  holds (home, search, feeds, sitemaps and the API lists; a section's, a tag's, an author's pages
  and feeds; a section's More to Read);
- `search`: search results; `menu`: the sections every page lists; `corrections`: /corrections/;
- `tag:<slug>`, `author:<slug>`: a tag's or an author's name wherever a label shows it.

A save that changes nothing the public sees, a draft's or a scheduled article's, names nothing.
"""

from datetime import timedelta

from django.apps import apps
from django.db.models import Count, F, Q
from taggit.models import Tag, TaggedItem

from articles.models import (
    CARD_STATE,
    Article,
    ArticleRedirect,
    ArticleWithdrawal,
    Author,
    Category,
    Correction,
    EditorialNote,
    LiveEntry,
    PendingChange,
    RelatedLink,
    TaggedArticle,
    WorkingCopy,
)
from articles.visibility import goes_live_at, was_live
from caching import dependencies, freshness

# What decides which lists hold an article, and where in them.
PLACE_STATE = ("status", "published_at", "embargoed_until", "slug", "category_id", "is_featured")


def article_tags(article: Article) -> set[str]:
    """A live article, or one that was live before this save: its page and rows always; the
    lists that show its card if the card changed; every list it joins or leaves if its place in
    them did. An article that was never public names nothing: it is on no public surface."""
    before = article.state_before_save
    live_before = bool(before) and was_live(before)
    if not (article.is_live or live_before):
        return set()
    tags = {f"article:{article.pk}", f"row:{article.pk}", "rows", "search"}
    if before is None or live_before != article.is_live or changed(article, before, PLACE_STATE):
        tags |= lists_holding(article, before)
    elif changed(article, before, CARD_STATE):
        tags.add(f"card:{article.pk}")
    return tags


def everywhere_it_shows(article_ids) -> set[str]:
    """An article changed without a save (an update() of its image or its time): its page, its
    card, its rows, search."""
    tags = {"rows", "search"}
    for pk in article_ids:
        tags |= {f"article:{pk}", f"card:{pk}", f"row:{pk}"}
    return tags


def changed(article: Article, before: dict, fields) -> bool:
    return any(getattr(article, name) != before[name] for name in fields)


def lists_holding(article: Article, before: dict | None) -> set[str]:
    """Every list the article is (or was) in, and its card there."""
    sections = {article.category_id, (before or {}).get("category_id", article.category_id)}
    tags = {"list:all", f"card:{article.pk}", *(f"list:section:{pk}" for pk in sections)}
    if article.pk is not None:
        tags |= {f"list:tag:{slug}" for slug in article.tags.values_list("slug", flat=True)}
        tags |= {f"list:author:{slug}" for slug in article.authors.values_list("slug", flat=True)}
    # The menu lists the sections that have a live article: one gained its first, or lost its last.
    live = Article.objects.live().filter(category_id__in=sections)
    counts = dict(live.values_list("category_id").annotate(n=Count("pk")))
    if any(not counts.get(pk) for pk in sections) or counts.get(article.category_id) == 1:
        tags.add("menu")
    return tags


def relation_tags(instance, related_model, pks) -> set[str]:
    """Tags or bylines added to or removed from articles (from either side): the lists of those
    tags or authors, and each live article's page, rows and card (its first tag)."""
    if isinstance(instance, Article):
        articles = [instance] if instance.is_live else []
        labels = list(related_model.objects.filter(pk__in=pks or ()))
    else:
        articles = list(Article.objects.live().filter(pk__in=pks or ()))
        labels = [instance]
    if not articles:
        return set()
    kind = "tag" if Tag in (related_model, type(instance)) else "author"
    tags = {"rows", "search"}
    tags |= {f"list:{kind}:{label.slug}" for label in labels}
    for article in articles:
        tags |= {f"article:{article.pk}", f"row:{article.pk}", f"card:{article.pk}"}
    return tags


def shown_on_its_article(note) -> set[str]:
    """Live entries, redirects, related links: parts of their article's page."""
    return {f"article:{note.article_id}", f"row:{note.article_id}", "rows"}


def correction_tags(correction: Correction) -> set[str]:
    return shown_on_its_article(correction) | {"corrections"}


def related_link_tags(link: RelatedLink) -> set[str]:
    # A draft's links show nowhere until it goes live (and then its save names its page).
    if not Article.objects.live().filter(pk=link.article_id).exists():
        return set()
    return {f"article:{link.article_id}"}


def tagging_tags(tagging: TaggedArticle) -> set[str]:
    # Tags added through the article (article.tags.add) say so through the relation, with the
    # article in hand; a tagging saved on its own names its article's page if that is live.
    if not Article.objects.live().filter(pk=tagging.content_object_id).exists():
        return set()
    return {f"article:{tagging.content_object_id}", "list:all", "rows"}


def category_tags(category: Category) -> set[str]:
    # A section with no live article is on no menu, list or API answer (Category.public()).
    if not Category.objects.public().filter(pk=category.pk).exists():
        return set()
    # Its name is on every page's menu and on its articles' cards and rows.
    return {"menu", f"list:section:{category.pk}", "list:all", "rows"}


def author_tags(author: Author) -> set[str]:
    if not Article.objects.live().filter(authors=author).exists():
        return set()
    return {f"author:{author.slug}", f"list:author:{author.slug}", "rows"}


def tag_tags(tag: Tag) -> set[str]:
    # A new tag, or one only drafts carry, shows nowhere (tag pages answer 404 until then).
    if not Article.objects.live().filter(tags=tag).exists():
        return set()
    return {f"tag:{tag.slug}", f"list:tag:{tag.slug}", "list:all", "rows"}


def declare_all() -> None:
    dependencies.declare(Article, article_tags)
    dependencies.declare(Category, category_tags)
    dependencies.declare(Author, author_tags)
    dependencies.declare(Tag, tag_tags)
    dependencies.declare(TaggedArticle, tagging_tags)
    dependencies.declare(RelatedLink, related_link_tags)
    dependencies.declare(ArticleRedirect, shown_on_its_article)
    dependencies.declare(Correction, correction_tags)
    dependencies.declare(LiveEntry, shown_on_its_article)
    # Tombstones are what /api/v1/changes/ reports of a withdrawal.
    dependencies.declare(ArticleWithdrawal, lambda withdrawal: {"rows"})
    dependencies.declare_relation(Article.authors.through, relation_tags)
    dependencies.declare_relation(TaggedArticle, relation_tags)
    # The revisions kept by simple_history are the desk's, never shown publicly, and so are
    # editors' working copies, the desk's notes and the changes of a live article saved for
    # later (until they
    # are published: an Article save); taggit's generic TaggedItem is unused (articles are
    # tagged through TaggedArticle).
    history = Article.history.model
    dependencies.declare_unpublished(
        history,
        apps.get_model("articles", "HistoricalArticle_authors"),
        Correction.history.model,
        LiveEntry.history.model,
        WorkingCopy,
        PendingChange,
        EditorialNote,
        TaggedItem,
    )
    freshness.watch_schedule(publication_schedule)


def publication_schedule(now):
    """When an article last went live by itself (scheduled or embargoed, with no save since: its
    go-live time is after its last save), and when the next one will. A go-live changes no row,
    so the cache's version follows these. Only go-lives within a cached response's lifetime
    matter: older ones are looked for no further back (an index range, whatever the archive)."""
    since = now - timedelta(seconds=freshness.MAX_TTL + 60)
    went_live = (
        Article.objects.live(now=now)
        .filter(Q(published_at__gt=since) | Q(embargoed_until__gt=since))
        .annotate(went_live_at=goes_live_at())
        .filter(went_live_at__gt=F("updated_at"))
        .order_by("-went_live_at")
        .values("went_live_at")
    )
    next_scheduled = (
        Article.objects.scheduled(now=now)
        .annotate(goes_live_at=goes_live_at())
        .order_by("goes_live_at")
        .values("goes_live_at")
    )
    return went_live, next_scheduled
