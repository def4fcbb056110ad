"""The arms of a campaign's experiments: each variant key, each surface's control, and the site-wide holdback."""

from django.core.cache import cache

HOLDBACK = "holdback"
SURFACE_NAMES = ("panel", "notice", "appeal", "banner")
CONTROL_ARMS = tuple(f"control:{surface}" for surface in SURFACE_NAMES)


def valid_arms(campaign):
    """Every arm a beacon may name for ``campaign`` (cached briefly; variants change rarely)."""
    key = f"samizdat:arms:{campaign.pk}"
    arms = cache.get(key)
    if arms is None:
        arms = frozenset(campaign.variants.values_list("key", flat=True)) | {HOLDBACK, *CONTROL_ARMS}
        cache.set(key, arms, 60)
    return arms
