"""Which pages every reader may see. Most newsrooms restrict no page, so the common case costs no query.

Wagtail's ``.public()`` reads every view restriction on each call; here the answer "are there any restrictions at all?"
is kept in the cache under the page-cache generation, which moves whenever a restriction (or anything else) changes, and
for a whole batch render of one snapshot (``core.snapshot``).
"""

from django.core.cache import cache

from core import snapshot
from core.page_cache import current_generation


def any_view_restrictions():
    return snapshot.remember("any-view-restrictions", _any_view_restrictions)


def _any_view_restrictions():
    from wagtail.models import PageViewRestriction

    key = f"samizdat:restrictions:{current_generation()}"
    found = cache.get(key)
    if found is None:
        found = PageViewRestriction.objects.exists()
        cache.set(key, found, timeout=3600)
    return found


def public(queryset):
    """``queryset.public()``, skipped when no page has a view restriction."""
    return queryset.public() if any_view_restrictions() else queryset


def is_restricted(page):
    return any_view_restrictions() and page.get_view_restrictions().exists()
