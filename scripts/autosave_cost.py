"""What one autosave costs while an editor types: ms per request and its queries, through
Django's test client on a fresh test database (SQLite by default; DATABASE_URL and CACHE_URL
for PostgreSQL and Redis). Usage: .venv/bin/python scripts/autosave_cost.py"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

REQUESTS = 300
TYPED = "<p>" + "typed " * 1700 + "</p>"  # about 10,000 characters of body


def measure() -> None:
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ensure_editorial_roles, make_article, make_category

    ensure_editorial_roles()
    user = User.objects.create_user("eddie", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    article = make_article(category=make_category(), body=TYPED)
    client = Client()
    client.force_login(user)
    body = json.dumps(
        {"data": {"title": ["T"], "summary": ["S"], "body": [TYPED]}, "base_version": 1}
    )
    url = f"/admin/articles/article/{article.pk}/autosave/"

    def autosave():
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 200, response.content

    for _ in range(20):
        autosave()  # warm up
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        autosave()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        autosave()
    for query in queries.captured_queries:
        print("  ", query["sql"][:100])
    times.sort()
    print(
        f"{connection.vendor}: autosave median {statistics.median(times):.2f} ms, "
        f"p95 {times[int(REQUESTS * 0.95)]:.2f} ms, {len(queries)} statements"
    )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    databases = runner.setup_databases()
    try:
        measure()
    finally:
        runner.teardown_databases(databases)


if __name__ == "__main__":
    main()
