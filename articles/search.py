"""Full-text search: how readers' words are cleaned, and what PostgreSQL indexes and matches."""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Value


def normalize_query(text: str) -> str:
    """Collapse white space and drop control characters (PostgreSQL refuses NUL)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


# Ranking reads each ranked match's search vector (kilobytes, one heap row each), so ranking
# every match of a common word grows with the archive. The site's search ranks the newest this
# many matches instead, a bounded amount of work whatever the archive's size (figures in
# docs/performance.md).
SEARCH_WINDOW = 240


SEARCH_CONFIG = "english"


def search_vector(tag_names: str = "") -> SearchVector:
    """What full-text search reads: headline first, then standfirst and tags, then the body."""

    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector(Value(tag_names), weight="B", config=SEARCH_CONFIG)
        + SearchVector("body", weight="C", config=SEARCH_CONFIG)
    )


def web_search_query(text: str) -> SearchQuery:
    """What readers and partners type, in web-search syntax ("quoted phrases", -excluded)."""
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
