"""Public addresses, reversed once per process: slugged pages (articles, sections, tags,
authors), as a listing links each card to its article, section and tag and reverse() was a
tenth of a cold API list; and the fixed addresses every page's header and footer link to."""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse


@lru_cache(maxsize=8192)
def _reverse_slug(view_name: str, slug: str, script_prefix: str) -> str:
    return reverse(view_name, kwargs={"slug": slug})


def slug_url(view_name: str, slug: str) -> str:
    return _reverse_slug(view_name, slug, get_script_prefix())


def slug_urls():
    """slug_url() for the many addresses of one response, the script prefix read once."""
    prefix = get_script_prefix()
    return lambda view_name, slug: _reverse_slug(view_name, slug, prefix)


@lru_cache(maxsize=256)
def _reverse_fixed(view_name: str, script_prefix: str) -> str:
    return reverse(view_name)


def fixed_url(view_name: str) -> str:
    """The address of a page without arguments (the home page, the feed, the sitemap)."""
    return _reverse_fixed(view_name, get_script_prefix())


@receiver(setting_changed)
def _forget_addresses(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reverse_slug.cache_clear()
        _reverse_fixed.cache_clear()
