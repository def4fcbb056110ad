"""Counting in the shared cache for rate limits: fixed windows that start with the first count."""

from django.core.cache import cache


def count_in_window(key: str, window: int, amount: int = 1) -> int:
    """Add ``amount`` (one by default) to ``key``'s count and return it. The window starts with the first count; a
    later count does not extend it. Atomic across processes on Redis (``incr``, or ``add`` for the first count)."""
    try:
        return cache.incr(key, amount)  # a window is running (the common case: one step, not two)
    except ValueError:  # no window yet, or it just ended
        pass
    if cache.add(key, amount, window):
        return amount
    try:
        return cache.incr(key, amount)  # another process began the window meanwhile
    except ValueError:  # ... and it ended already
        cache.set(key, amount, window)
        return amount
