"""The arms of a campaign's experiments: each variant key, each surface's control, and the site-wide holdback."""

from django.core.cache import cache

HOLDBACK = "holdback"
SURFACE_NAMES = ("panel", "notice", "appeal", "banner")
CONTROL_ARMS = tuple(f"control:{surface}" for surface in SURFACE_NAMES)


def _key(campaign_id):
    return f"samizdat:arms:{campaign_id}"


def forget_arms(campaign_id):
    """Called when a campaign's variants change, so a new variant's beacons count at once."""
    cache.delete(_key(campaign_id))


def valid_arms(campaign):
    """Every arm a beacon may name for ``campaign`` (cached; forgotten whenever its variants change)."""
    key = _key(campaign.pk)
    arms = cache.get(key)
    if arms is None:
        arms = frozenset(campaign.variants.values_list("key", flat=True)) | {HOLDBACK, *CONTROL_ARMS}
        cache.set(key, arms, 600)
    return arms
