"""The page cache's WSGI fast path answers a hit exactly as Django's middleware would, and nothing else.

Both paths run in this process on the real Redis cache: ``samizdat.wsgi.application`` (the fast path around Django)
and ``samizdat.wsgi.django_application`` (Django alone, whose first middleware answers hits). Their answers to the
same request are compared status line, header list (names, values and order) and bytes.
"""

import gzip

import brotli
import pytest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.test import RequestFactory, override_settings

from core import page_cache, page_memo
from core.fast_path import PageCacheFastPath, is_secure, request_path
from samizdat.wsgi import application, django_application
from tests.services import empty_redis, redis_caches

REDIS_URL = "redis://127.0.0.1:6379/10"
REDIS_CACHES = redis_caches(REDIS_URL)
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
)
ACCEPT_ENCODINGS = ("identity", "gzip", "br", "gzip, deflate, br", "br;q=0, gzip", "*", "gzip;q=0", None)

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache():
    client = empty_redis(REDIS_URL)
    with override_settings(CACHES=REDIS_CACHES):
        page_memo.memo().forget()  # this process's copies (core.page_memo) of another test's pages
        yield client
        page_memo.memo().forget()
    client.flushdb()


class Counted:
    """A WSGI application counting the requests that reach it (here: Django, behind the fast path)."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.inner(environ, start_response)


def environ(path, method="GET", accept_encoding="gzip", **extra):
    if accept_encoding is not None:
        extra["HTTP_ACCEPT_ENCODING"] = accept_encoding
    return RequestFactory().generic(method, path, **extra).environ


def call(app, env):
    """Run a WSGI application: (status line, header list, body bytes)."""
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, list(headers)

    chunks = app(env, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return seen["status"], seen["headers"], body


@pytest.fixture
def fast():
    return PageCacheFastPath(Counted(django_application))


def test_a_hit_is_the_same_status_headers_and_bytes_on_both_paths(redis_cache, article, fast):
    status, headers, _ = call(application, environ(article.url))
    assert status == "200 OK" and ("X-Page-Cache", "miss") in headers
    for method in ("GET", "HEAD"):
        for accept_encoding in ACCEPT_ENCODINGS:
            slow_answer = call(django_application, environ(article.url, method, accept_encoding))
            fast_answer = call(fast, environ(article.url, method, accept_encoding))
            assert fast_answer == slow_answer, (method, accept_encoding)
            assert ("X-Page-Cache", "hit") in fast_answer[1]
    assert fast.application.calls == 0, "every hit was answered before Django"


def test_the_fast_path_sends_each_encoding_and_every_security_header(redis_cache, article, fast):
    _, _, identity = call(application, environ(article.url, accept_encoding="identity"))
    for accept_encoding, encoding, decode in (("br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)):
        _, header_list, body = call(fast, environ(article.url, accept_encoding=accept_encoding))
        headers = dict(header_list)
        assert headers["Content-Encoding"] == encoding
        assert headers["Content-Length"] == str(len(body))
        assert decode(body) == identity
        assert headers["Vary"] == "Accept-Encoding"
        assert headers["Cache-Control"].startswith("public")
        assert "Set-Cookie" not in headers
        for name in SECURITY_HEADERS:
            assert name in headers, name
    _, header_list, body = call(fast, environ(article.url, "HEAD", "gzip"))
    assert body == b"" and int(dict(header_list)["Content-Length"]) > 0
    assert fast.application.calls == 0


def test_a_publish_is_seen_by_the_fast_path_at_once(redis_cache, article, fast, django_capture_on_commit_callbacks):
    call(fast, environ(article.url, accept_encoding="identity"))
    assert fast.application.calls == 1  # the miss went to Django, which stored the page
    assert article.title.encode() in call(fast, environ(article.url, accept_encoding="identity"))[2]
    assert fast.application.calls == 1
    page = article.save_revision().as_object()
    page.title = "A headline corrected a moment ago"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()  # moves the page cache's generation
    _, headers, body = call(fast, environ(article.url, accept_encoding="identity"))
    assert fast.application.calls == 2
    assert ("X-Page-Cache", "miss") in headers
    assert b"A headline corrected a moment ago" in body


@override_settings(PAGE_CACHE_LOCAL_PAGES=0)  # every hit through Redis (no copies kept in this process)
def test_a_miss_is_looked_up_once(redis_cache, article, fast):
    def mget_calls():
        return redis_cache.info("commandstats").get("cmdstat_mget", {}).get("calls", 0)

    before = mget_calls()
    _, headers, _ = call(fast, environ(article.url))
    assert ("X-Page-Cache", "miss") in headers
    assert mget_calls() - before == 1
    before = mget_calls()
    call(fast, environ(article.url))
    assert mget_calls() - before == 1


@pytest.mark.parametrize(
    ("method", "path", "extra"),
    [
        ("POST", "{article}", {}),
        ("GET", "/search/?q=bread", {}),
        ("GET", "/support/", {}),
        ("GET", "/admin/login/", {}),
        ("GET", "/static/samizdat/site.css", {}),
    ],
)
def test_what_is_never_cached_goes_to_django(redis_cache, article, fast, method, path, extra):
    path = path.format(article=article.url)
    call(fast, environ(path, method, **extra))
    call(fast, environ(path, method, **extra))
    assert fast.application.calls == 2


def test_a_cached_page_asked_over_plain_http_is_redirected_when_https_is_required(redis_cache, article):
    call(application, environ(article.url))
    with override_settings(SECURE_SSL_REDIRECT=True):
        fast = PageCacheFastPath(Counted(WSGIHandler()))  # SecurityMiddleware reads the setting when it is built
        status, headers, _ = call(fast, environ(article.url))
        assert status.startswith("301") and dict(headers)["Location"].startswith("https://")
        assert fast.application.calls == 1
        status, headers, _ = call(fast, environ(article.url, **{"wsgi.url_scheme": "https"}))
        assert status == "200 OK" and ("X-Page-Cache", "hit") in headers
        assert fast.application.calls == 1


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
def test_https_answers_carry_hsts_on_both_paths_and_plain_http_ones_do_not(redis_cache, article, fast):
    hsts = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload")
    https = {"wsgi.url_scheme": "https"}
    _, headers, _ = call(WSGIHandler(), environ(article.url, **https))
    assert ("X-Page-Cache", "miss") in headers and hsts in headers
    slow_answer = call(django_application, environ(article.url, **https))
    assert call(fast, environ(article.url, **https)) == slow_answer
    assert hsts in slow_answer[1]
    assert "Strict-Transport-Security" not in dict(call(fast, environ(article.url))[1])
    assert fast.application.calls == 0


def test_turned_off_every_request_goes_to_django(redis_cache, article, fast):
    with override_settings(PAGE_CACHE_FAST_PATH=False):
        for _ in range(2):
            call(fast, environ(article.url))
    assert fast.application.calls == 2
    with override_settings(PAGE_CACHE_SECONDS=0):
        _, headers, _ = call(fast, environ(article.url))
    assert fast.application.calls == 3 and "X-Page-Cache" not in dict(headers)


@pytest.mark.parametrize(
    "extra",
    [
        {"PATH_INFO": "/news/a-story/"},
        {"PATH_INFO": "/news/a story/"},
        {"PATH_INFO": "/новости/".encode().decode("latin-1")},  # as a WSGI server passes UTF-8 bytes
        {"PATH_INFO": "/broken-\xff/"},
        {"PATH_INFO": ""},
        {"PATH_INFO": "no-leading-slash/x"},
        {"SCRIPT_NAME": "/mirror", "PATH_INFO": "/news/"},
        {"SCRIPT_NAME": "/mirror/", "PATH_INFO": "/news/"},
    ],
)
def test_the_path_is_the_one_django_works_out(extra):
    env = {**environ("/"), **extra}
    assert request_path(env) == WSGIRequest(env).path


def test_the_scheme_is_the_one_django_works_out():
    header = ("HTTP_X_FORWARDED_PROTO", "https")
    cases = [
        ({}, None),
        ({"wsgi.url_scheme": "https"}, None),
        ({"HTTP_X_FORWARDED_PROTO": "https"}, header),
        ({"HTTP_X_FORWARDED_PROTO": "https, http"}, header),
        ({"HTTP_X_FORWARDED_PROTO": "http"}, header),
        ({"HTTP_X_FORWARDED_PROTO": "https"}, None),
    ]
    for extra, proxy_header in cases:
        with override_settings(SECURE_PROXY_SSL_HEADER=proxy_header):
            env = {**environ("/"), **extra}
            assert is_secure(env) == WSGIRequest(env).is_secure(), (extra, proxy_header)


def test_status_lines_are_djangos():
    assert page_cache.status_line(200) == "200 OK"
    assert page_cache.status_line(299) == "299 Unknown Status Code"


def test_an_unreachable_cache_leaves_the_answer_to_django(article, fast):
    url = article.url  # Wagtail works it out through the cache too
    unreachable = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with override_settings(CACHES=unreachable, PAGE_CACHE_LOCAL_PAGES=0):
        slow_status, _, slow_body = call(WSGIHandler(), environ(url))
        status, _, body = call(fast, environ(url))
    assert fast.application.calls == 1
    assert status == slow_status and body == slow_body
