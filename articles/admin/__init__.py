"""The content's admin, by area: articles (the list and the change form), sections and authors,
live entries and corrections, and the records the site keeps by itself. Partners' keys and
webhooks are in partners.admin."""

from articles.admin import article, notes, records, sections  # noqa: F401  (registers them)
