"""PostgreSQL only: the GIN index behind full-text search, and vectors for existing rows."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS article_search_gin ON articles_article USING gin (search_vector)"
)
DROP = "DROP INDEX IF EXISTS article_search_gin"
FILL = """
UPDATE articles_article SET search_vector =
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(body, '')), 'C')
WHERE search_vector IS NULL
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute(FILL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_search_vector")]
    operations = [migrations.RunPython(create, drop)]
