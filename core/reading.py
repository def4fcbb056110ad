"""What makes a response a *reading page*: the same bytes for every reader, no cookie, cacheable by anyone.

A view or page marks its response with :func:`mark_reading`. ``core.middleware`` then adds the public caching and
security headers and lets the page cache keep it.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control

READING_ATTRIBUTE = "samizdat_reading"

# Reading pages load nothing but our own files: no inline script or style, no third party, no fonts.
READING_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'none'",
        "object-src 'none'",
        "media-src 'self'",
        "connect-src 'self'",
        "frame-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), browsing-topics=(), interest-cohort=()"


def mark_reading(response, *, request=None, max_age=None, cache_seconds=None):
    """Declare ``response`` a public reading page (unless it answers a preview, which is the editor's alone).

    ``max_age`` is what browsers and shared caches are told; ``cache_seconds`` caps how long the page cache keeps it.
    """
    if request is not None and getattr(request, "is_preview", False):
        patch_cache_control(response, private=True, no_store=True)
        return response
    setattr(response, READING_ATTRIBUTE, True)
    # Whatever was rendered into the page may ask for a shorter life in the page cache (live figures, for one).
    requested = getattr(request, "samizdat_cache_seconds", None) if request is not None else None
    limits = [seconds for seconds in (cache_seconds, requested) if seconds is not None]
    if limits:
        response.samizdat_cache_seconds = min(limits)
    patch_cache_control(response, public=True, max_age=settings.READING_MAX_AGE if max_age is None else max_age)
    return response


def is_reading(response):
    return getattr(response, READING_ATTRIBUTE, False)
