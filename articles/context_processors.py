from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.models import Category
from articles.querysets import CompiledQuery

# Every page's menu: the ORM query is compiled once (see CompiledQuery).
public_categories = CompiledQuery(lambda now: Category.objects.public(now=now))


def site(request):
    """The site name and the category menu, queried only when a template uses it."""
    return {
        "site_name": settings.SITE_NAME,
        "menu_categories": SimpleLazyObject(public_categories),
    }
