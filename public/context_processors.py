from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.models import Category
from caching import tags
from caching.versioned import remember


def menu_categories() -> list:
    """Every page's category menu: the same for every page until content changes."""

    def sections() -> list:
        tags.add("menu")
        return list(Category.objects.public())

    return remember("menu", sections)


def site(request):
    """The site name and the category menu, queried only when a template uses it."""
    return {
        "site_name": settings.SITE_NAME,
        "menu_categories": SimpleLazyObject(menu_categories),
    }
