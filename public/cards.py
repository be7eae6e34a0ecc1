"""What the reader site shows of an article in a list: the card (templates/jinja2/includes/
cards.html), and the "More to Read" cards under an article."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from articles.labels import attach_labels
from articles.models import Article, RelatedLink
from caching import tags
from caching.versioned import remember

MORE_TO_READ = 3

# What a card reads of an article and its section. A page has 25 cards: each column left out is
# 25 values never read.
CARD_FIELDS = (
    "slug",
    "title",
    "summary",
    "label",
    "published_at",
    "hero_image",
    "hero_width",
    "hero_height",
    "hero_renditions",
    "category__slug",
    "category__name",
    "live_coverage_started_at",
    "live_coverage_ended_at",
)

# Columns no card or feed item shows (the search vector is never loaded: see ArticleManager).
UNSHOWN_FIELDS = ("body", "seo_title", "seo_description", "canonical_url", "search_vector")


def as_cards(articles):
    """What a card shows and nothing more, its section joined; attach_labels(cards,
    with_authors=False) gives each its tags (a card shows the first)."""
    return articles.select_related("category").only(*CARD_FIELDS)


@dataclass
class MoreToRead:
    """One "More to Read" card: one of our articles, or an external link."""

    article: Article | None = None
    url: str = ""
    title: str = ""
    # A card of the section's fill: its article is kept under the content version and shared
    # between requests, labels attached; never change it.
    shared: bool = False

    @classmethod
    def from_link(cls, link: RelatedLink) -> "MoreToRead":
        if link.target_id:
            return cls(article=link.target, title=link.title or link.target.title)
        return cls(url=link.url, title=link.title)

    @property
    def href(self) -> str:
        return self.article.get_absolute_url() if self.article else self.url

    @property
    def domain(self) -> str:
        return urlsplit(self.url).hostname or "" if self.url else ""


def more_to_read(article: Article) -> list[MoreToRead]:
    """Curated related links first (live targets only), topped up from the same category (the
    section's newest few, shared by its articles: kept under the content version, with their
    tags). The curated targets' tags come with the article's own labels (ArticleDetailView)."""
    links = RelatedLink.objects.of_article(article.pk)[:MORE_TO_READ]
    items = [MoreToRead.from_link(link) for link in links]
    tags.add_all(f"card:{item.article.pk}" for item in items if item.article)
    if len(items) < MORE_TO_READ:
        shown = {item.article.pk for item in items if item.article} | {article.pk}
        category_id = article.category_id
        fill = remember(f"section-fill:{category_id}", lambda: newest_in_section(category_id))
        items += [MoreToRead(article=a, shared=True) for a in fill if a.pk not in shown]
    return items[:MORE_TO_READ]


def newest_in_section(category_id: int) -> list[Article]:
    """Enough of the section's newest to fill More to Read after leaving out what shows."""
    section = as_cards(Article.objects.live()).filter(category_id=category_id)
    newest = attach_labels(list(section[: 2 * MORE_TO_READ + 1]), with_authors=False)
    tags.add(f"list:section:{category_id}", *(f"card:{article.pk}" for article in newest))
    return newest
