from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.models import Category


def site(request):
    """The site name and the category menu, queried only when a template uses it."""
    return {
        "site_name": settings.SITE_NAME,
        "menu_categories": SimpleLazyObject(lambda: list(Category.objects.public())),
    }
