"""What makes a response a *reading page*: the same bytes for every reader, no cookie, cacheable by anyone.

A view or page marks its response with :func:`mark_reading`. ``core.middleware`` then adds the public caching and
security headers and lets the page cache keep it. The Content-Security-Policy is django-csp's, configured in
``settings.CONTENT_SECURITY_POLICY``; :func:`policy_for_meta` gives the static export the same policy for its meta tag.
"""

from csp.utils import build_policy
from django.conf import settings
from django.utils.cache import patch_cache_control

READING_ATTRIBUTE = "samizdat_reading"

# The policy itself lives in settings.CONTENT_SECURITY_POLICY (django-csp sends it); these are the only ways it is read.
# Browsers ignore these directives in a <meta> tag (and warn about them), so the static export leaves them out and the
# web server in front of a mirror sends them as a header where it can.
META_IGNORED_DIRECTIVES = frozenset({"frame-ancestors", "report-uri", "report-to", "sandbox"})
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), browsing-topics=(), interest-cohort=()"


def ordered_policy(policy):
    """``policy`` with its directives in the order settings list them (django-csp builds them from a set, whose order
    changes from process to process), so every app process sends the same bytes."""
    order = list(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    directives = [part.strip() for part in policy.split(";") if part.strip()]

    def position(directive):
        name = directive.split(" ", 1)[0]
        return (order.index(name), "") if name in order else (len(order), name)

    return "; ".join(sorted(directives, key=position))


def reading_policy():
    """The Content-Security-Policy header of every page but the editors' and the card step (no inline script or style,
    nothing from another host)."""
    return ordered_policy(build_policy())


def policy_for_meta():
    """The same policy for ``<meta http-equiv="Content-Security-Policy">`` in the static export: the header's
    directives minus those a meta tag cannot carry, so the header and the tag cannot drift apart."""
    directives = reading_policy().split("; ")
    return "; ".join(d for d in directives if d.split(" ", 1)[0] not in META_IGNORED_DIRECTIVES)


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
