"""What a change of each content model makes stale, declared to the cache layer
(caching.dependencies) by ArticlesConfig.ready(); and the publication schedule the cache's
version follows (caching.freshness.watch_schedule).

The tags name what a change can show on: an article's own page ("article:<id>"), its section's
lists and More to Read ("section:<id>"), the lists that show a tag or an author, every list of
live articles ("lists"), the site's menu ("sections"). A save that changes nothing the public
sees, a draft's or a scheduled article's, names nothing.
"""

from django.apps import apps
from taggit.models import Tag, TaggedItem

from articles.models import (
    Article,
    ArticleRedirect,
    ArticleWithdrawal,
    Author,
    Category,
    Correction,
    LiveEntry,
    RelatedLink,
    TaggedArticle,
)
from articles.visibility import goes_live_at
from caching import dependencies, freshness


def article_tags(article: Article) -> set[str]:
    """A live article, or one that was live before this save: its page, its section's pages and
    every list. One that was never public (a draft, a piece in review, a scheduled or embargoed
    one) names nothing: it is on no public surface."""
    if not (article.is_live or article.was_live_before_save):
        return set()
    return {f"article:{article.pk}", f"section:{article.category_id}", "lists"}


def shown_on_its_article(note) -> set[str]:
    """Corrections, live entries, redirects, related links: parts of their article's page."""
    return {f"article:{note.article_id}"}


def related_link_tags(link: RelatedLink) -> set[str]:
    # A draft's links show nowhere until it goes live (and then its save names its page).
    if not Article.objects.live().filter(pk=link.article_id).exists():
        return set()
    return shown_on_its_article(link)


def tagging_tags(tagging: TaggedArticle) -> set[str]:
    # Tags added through the article (article.tags.add) say so through the relation, with the
    # article in hand; a tagging saved on its own names its article's page if that is live.
    if not Article.objects.live().filter(pk=tagging.content_object_id).exists():
        return set()
    return {f"article:{tagging.content_object_id}", "lists"}


def category_tags(category: Category) -> set[str]:
    # A section with no live article is on no menu, list or API answer (Category.public()).
    if not Category.objects.public().filter(pk=category.pk).exists():
        return set()
    return {f"section:{category.pk}", "sections", "lists"}


def author_tags(author: Author) -> set[str]:
    if not Article.objects.live().filter(authors=author).exists():
        return set()
    return {f"author:{author.pk}", "lists"}


def tag_tags(tag: Tag) -> set[str]:
    # A new tag, or one only drafts carry, shows nowhere (tag pages answer 404 until then).
    if not Article.objects.live().filter(tags=tag).exists():
        return set()
    return {f"tag:{tag.pk}", "lists"}


def declare_all() -> None:
    dependencies.declare(Article, article_tags)
    dependencies.declare(Category, category_tags)
    dependencies.declare(Author, author_tags)
    dependencies.declare(Tag, tag_tags)
    dependencies.declare(TaggedArticle, tagging_tags)
    dependencies.declare(RelatedLink, related_link_tags)
    dependencies.declare(ArticleRedirect, shown_on_its_article)
    dependencies.declare(Correction, shown_on_its_article)
    dependencies.declare(LiveEntry, shown_on_its_article)
    # Tombstones are what /api/v1/changes/ reports of a withdrawal.
    dependencies.declare(ArticleWithdrawal, lambda withdrawal: {"changes"})
    dependencies.declare_relation(Article.authors.through)
    dependencies.declare_relation(TaggedArticle)
    # The revisions kept by simple_history are the desk's, never shown publicly; taggit's
    # generic TaggedItem is unused (articles are tagged through TaggedArticle).
    history = Article.history.model
    dependencies.declare_unpublished(
        history,
        apps.get_model("articles", "HistoricalArticle_authors"),
        Correction.history.model,
        LiveEntry.history.model,
        TaggedItem,
    )
    freshness.watch_schedule(publication_schedule)


def publication_schedule(now):
    """The newest live publication time, and when the next scheduled or embargoed article goes
    live: a scheduled article going live changes no row, so the cache's version follows these."""
    newest_live = Article.objects.live(now=now).order_by("-published_at").values("published_at")
    next_scheduled = (
        Article.objects.scheduled(now=now)
        .annotate(goes_live_at=goes_live_at())
        .order_by("goes_live_at")
        .values("goes_live_at")
    )
    return newest_live, next_scheduled
