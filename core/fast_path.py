"""The page cache's fast path: cache hits answered at the WSGI level, before Django builds a request.

A hit through Django's stack costs a request object, the request signals, the middleware chain and a response object
around one cache read. Here a hit is the cache read alone: the WSGI environ is checked with the same rule as the
middleware's (:func:`core.middleware.cacheable`), the entry and the generation come back in one round trip
(:func:`core.page_cache.lookup`), and the status, headers and bytes are those :func:`core.page_cache.answer` gives
the middleware, so a page answered here is byte for byte the page Django would have answered. Everything else, misses
included, goes to Django unchanged; a miss is marked in the environ so the middleware does not look it up again.

``PAGE_CACHE_FAST_PATH = False`` turns it off (the middleware then answers every hit, as before).
"""

import logging

from django.conf import settings
from django.core.handlers.wsgi import get_path_info, get_script_name

from core import onion, page_cache, page_memo
from core.middleware import FAST_PATH_MISSED, cacheable, onion_location

logger = logging.getLogger(__name__)


def request_path(environ):
    """``request.path`` as Django's WSGIRequest works it out from ``environ``."""
    script_name = get_script_name(environ)
    path_info = get_path_info(environ) or "/"
    return f"{script_name.rstrip('/')}/{path_info.replace('/', '', 1)}"


def is_secure(environ):
    """``request.is_secure()`` as Django works it out (the trusted proxy's header when one is set)."""
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header:
        name, secure_value = proxy_header
        value = environ.get(name)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


class PageCacheFastPath:
    """WSGI middleware around Django's application: answers page-cache hits itself, passes everything else on."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if settings.PAGE_CACHE_FAST_PATH:
            method = environ["REQUEST_METHOD"].upper()
            path = request_path(environ)
            secure = is_secure(environ)
            host = environ.get("HTTP_HOST", "")
            by_onion = onion.is_onion_host(host)
            if cacheable(method, path, secure=secure, onion=by_onion):
                # The onion's entries are its own (core.page_cache); the processes keep copies of the others only.
                local = None if by_onion else page_memo.memo()
                entry = local.get(path) if local is not None else None
                if entry is None:
                    epoch = local.epoch if local is not None else 0
                    try:
                        entry = page_cache.lookup(path, onion=by_onion)
                    except Exception:
                        # The cache is unreachable: Django answers, as it would without the fast path (its own
                        # lookup fails the same way and gets Django's error page, never a bare server error).
                        logger.warning("Page cache lookup failed; passing %s to Django", path, exc_info=True)
                        return self.application(environ, start_response)
                    if entry is not None and local is not None:
                        local.keep(path, entry, epoch)
                if entry is None:
                    environ[FAST_PATH_MISSED] = True
                else:
                    status, headers, body = page_cache.answer(
                        entry,
                        method=method,
                        accept_encoding=environ.get("HTTP_ACCEPT_ENCODING"),
                        secure=secure and not by_onion,
                        cache_status="hit",
                        onion_location=onion_location(
                            path,
                            environ.get("QUERY_STRING", ""),
                            secure=secure,
                            host=host,
                            content_type=page_cache.content_type(entry),
                        ),
                    )
                    start_response(page_cache.status_line(status), headers)
                    return [body]
        return self.application(environ, start_response)
