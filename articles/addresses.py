"""Public addresses of slugged pages (articles, sections, tags, authors), reversed once per
slug per process: a listing links each card to its article, section and tag, and reverse()
was a tenth of a cold API list."""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse


@lru_cache(maxsize=8192)
def _reverse_slug(view_name: str, slug: str, script_prefix: str) -> str:
    return reverse(view_name, kwargs={"slug": slug})


def slug_url(view_name: str, slug: str) -> str:
    return _reverse_slug(view_name, slug, get_script_prefix())


@receiver(setting_changed)
def _forget_addresses(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reverse_slug.cache_clear()
