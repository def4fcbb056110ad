"""Counting in the shared cache for rate limits: fixed windows that start with the first count."""

from django.core.cache import cache


def count_in_window(key: str, window: int, amount: int = 1) -> int:
    """Add ``amount`` (one by default) to ``key``'s count and return it. The window starts with the first count; a
    later count does not extend it. Atomic across processes on Redis (``add`` then ``incr``)."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key, amount)
    except ValueError:  # the window ended between add and incr
        cache.set(key, amount, window)
        return amount
