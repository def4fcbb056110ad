from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware as DjangoSecurityMiddleware
from django.utils.cache import patch_vary_headers

from core import onion, page_cache
from core.reading import PERMISSIONS_POLICY, is_reading, ordered_policy

# The editors' side: Wagtail's admin and Django's. It gets its own Content-Security-Policy (see settings).
EDITOR_PREFIXES = ("/admin/", "/django-admin/")
# Paths that are never reading pages (the editors' side and its assets).
NON_READING_PREFIXES = (*EDITOR_PREFIXES, "/documents/")
# Files the page cache has no business looking up (whitenoise or the web server answers them).
FILE_PREFIXES = ("/static/", "/media/")
# Reading views whose answer depends on the query string; they are not kept in the page cache.
QUERY_DRIVEN_PREFIXES = ("/search/",)
QUERY_DRIVEN_PATHS = frozenset({"/support/"})
UNCACHED_PREFIXES = NON_READING_PREFIXES + QUERY_DRIVEN_PREFIXES + FILE_PREFIXES
# Set in the WSGI environ by the fast path when it looked the page up and found nothing: no second lookup is needed.
FAST_PATH_MISSED = "samizdat.page_cache.missed"


def cacheable(method, path, *, secure, onion=False):
    """Whether a request for ``path`` may be answered from the page cache (and its answer kept there).

    Reading pages never depend on the query string, so it is left out of the key: a tracking parameter or a random
    string cannot push a request past the cache. Cookies are not looked at either: every reader gets the same bytes.
    A plain-HTTP request that SecurityMiddleware would redirect to HTTPS goes past the cache to be redirected (one by
    the onion host, never redirected, does not).
    Shared by the middleware and the WSGI fast path (core.fast_path), so that both answer exactly the same requests.
    """
    return (
        (method == "GET" or method == "HEAD")
        and settings.PAGE_CACHE_SECONDS > 0
        and not path.startswith(UNCACHED_PREFIXES)
        and not path.startswith(settings.PAGE_CACHE_SKIP_PREFIXES)
        and path not in QUERY_DRIVEN_PATHS
        and (secure or onion or not settings.SECURE_SSL_REDIRECT)
    )


def onion_location(path, query, *, secure, host, content_type):
    """The ``Onion-Location`` a response carries, or ``""``: HTML over HTTPS on any host but the onion, outside the
    editors' side (an editor's session lives on the host they logged in on). Shared with the fast path."""
    if (
        not secure
        or not content_type.startswith("text/html")
        or path.startswith(EDITOR_PREFIXES)
        or onion.is_onion_host(host)
    ):
        return ""
    return onion.location(path, query)


def _cacheable_request(request):
    # A page rendered into files (the static export and the published tree mark their own request objects) is
    # rendered afresh, never answered from the cache, and not kept in it.
    return (
        not getattr(request, "samizdat_render_to_file", False)
        and not getattr(request, "samizdat_export", False)
        and cacheable(request.method, request.path, secure=request.is_secure(), onion=onion.is_onion_request(request))
    )


def _respond_from_entry(request, entry, *, cache_status):
    status, headers, body = page_cache.answer(
        entry,
        method=request.method,
        accept_encoding=request.META.get("HTTP_ACCEPT_ENCODING"),
        secure=request.is_secure() and not onion.is_onion_request(request),
        cache_status=cache_status,
        onion_location=onion_location(
            request.path,
            request.META.get("QUERY_STRING", ""),
            secure=request.is_secure(),
            host=request.META.get("HTTP_HOST", ""),
            content_type=page_cache.content_type(entry),
        ),
    )
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    return response


class PageCacheMiddleware:
    """Answer anonymous-looking GETs of reading pages from the page cache, and fill it on a miss.

    Sits first in the stack: a hit costs one cache read and no database query. Every reader gets the same bytes, so the
    cache does not look at cookies or users at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        by_onion = onion.is_onion_request(request)
        entry = None if request.META.get(FAST_PATH_MISSED) else page_cache.lookup(request.path, onion=by_onion)
        if entry is not None:
            return _respond_from_entry(request, entry, cache_status="hit")
        response = self.get_response(request)
        if (
            is_reading(response)
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
            and not response.has_header("Content-Encoding")
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            entry = page_cache.store(request.path, response, onion=by_onion)
            return _respond_from_entry(request, entry, cache_status="miss")
        return response


class SecurityMiddleware(DjangoSecurityMiddleware):
    """Django's SecurityMiddleware, aware of the onion service (``settings.ONION_ADDRESS``, core/onion.py).

    Tor reaches the onion over plain HTTP, with no certificate to redirect to: a request by the onion host is never
    redirected to HTTPS and gets no HSTS, and its cookies go without ``Secure`` (browsers other than Tor Browser
    never send a ``Secure`` cookie back to an ``http://`` onion). Everywhere else Django's rules hold, and HTML over
    HTTPS says where the same page is on the onion (``Onion-Location``), which Tor Browser offers its reader.
    ``core.checks`` runs Django's deploy checks of these settings, which look for Django's class by name.
    """

    def process_request(self, request):
        if onion.is_onion_request(request):
            return None
        return super().process_request(request)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if onion.is_onion_request(request):
            response.headers.pop("Strict-Transport-Security", None)
            for morsel in response.cookies.values():
                morsel["secure"] = ""
        elif not getattr(request, "samizdat_render_to_file", False) and "Onion-Location" not in response:
            # Files of the published tree get theirs from nginx; an export page carries a meta tag instead.
            value = onion_location(
                request.path,
                request.META.get("QUERY_STRING", ""),
                secure=request.is_secure(),
                host=request.META.get("HTTP_HOST", ""),
                content_type=response.get("Content-Type", ""),
            )
            if value:
                response["Onion-Location"] = value
        return response


class ReadingHeadersMiddleware:
    """Give reading responses their public, strict headers; keep them free of anything per-reader."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(NON_READING_PREFIXES):
            return response
        response.setdefault("Referrer-Policy", "no-referrer")  # a reading URL never leaks through an outbound link
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if is_reading(response):
            patch_vary_headers(response, ("Accept-Encoding",))
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware: the policy of ``settings.CONTENT_SECURITY_POLICY`` on every response, widened only by
    django-csp's view decorators (the card step of checkout).

    Two additions: the editors' side gets ``settings.EDITOR_CONTENT_SECURITY_POLICY`` in place of the matching
    directives (Wagtail's admin needs inline script and style, which no reading page may have), and the directives
    always come in the order settings list them, so every app process sends the same header.

    A page previewed in the admin is rendered through this middleware on a stand-in request for the page's own path
    (Wagtail marks it ``is_dummy``); the admin shows it in a frame, so it too gets the editors' policy.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        editors_side = request.path_info.startswith(EDITOR_PREFIXES) or getattr(request, "is_dummy", False)
        if not report_only and parts.replace is None and editors_side:
            parts.replace = settings.EDITOR_CONTENT_SECURITY_POLICY
        return parts

    def process_response(self, request, response):
        had_policy = CSP_HEADER in response
        response = super().process_response(request, response)
        if not had_policy and CSP_HEADER in response:
            response[CSP_HEADER] = ordered_policy(response[CSP_HEADER])
        return response
