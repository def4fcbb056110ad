"""Each process's own copies of cached pages (core.page_memo): answered without a round trip, let go on every publish.

Runs on the real Redis cache; another app process is a separate interpreter publishing through Redis.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory, override_settings

from core import page_cache, page_memo
from core.fast_path import PageCacheFastPath
from tests.services import empty_redis, redis_caches
from tests.waiting import EVENT_SECONDS

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/9"
REDIS_CACHES = redis_caches(REDIS_URL)

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache():
    client = empty_redis(REDIS_URL)
    with override_settings(CACHES=REDIS_CACHES):
        yield client
        page_memo.memo().forget()
    client.flushdb()


@pytest.fixture
def local(redis_cache):
    """This process's copies, once its listener has subscribed (copies are kept only while it listens)."""
    found = page_memo.memo()
    assert found is not None
    assert found.listening.wait(timeout=EVENT_SECONDS), "the listener did not subscribe"
    found.forget()
    return found


def mget_calls(client):
    return client.info("commandstats").get("cmdstat_mget", {}).get("calls", 0)


def get(app, path, accept_encoding="gzip"):
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    environ = RequestFactory().get(path, HTTP_ACCEPT_ENCODING=accept_encoding).environ
    chunks = app(environ, start_response)
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return seen["status"], seen["headers"], body


def in_another_process(code):
    """Run ``code`` in another app process (a separate interpreter) on the same Redis cache."""
    env = {"SAMIZDAT_ENV": "test", "CACHE_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "samizdat.settings"}
    script = f"import django; django.setup()\nfrom core import page_cache\n{code}\n"
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**env, "PATH": "/usr/bin:/bin"}, check=True)


def wait_for_message(local, seen_before):
    with local.changed:
        assert local.changed.wait_for(lambda: local.messages > seen_before, timeout=EVENT_SECONDS), (
            "no message from Redis"
        )


@pytest.fixture
def fast():
    return PageCacheFastPath(WSGIHandler())


def test_a_kept_copy_answers_without_a_round_trip_and_the_same_bytes(redis_cache, local, article, fast):
    get(fast, article.url)  # a miss: Django renders and stores
    from_redis = get(fast, article.url)  # a hit through Redis, now kept
    before = mget_calls(redis_cache)
    for accept_encoding in ("gzip", "br", "identity"):
        assert get(fast, article.url, accept_encoding)[2] == get(WSGIHandler(), article.url, accept_encoding)[2]
    assert mget_calls(redis_cache) - before == 3  # the three through Django; none through the copies
    assert get(fast, article.url) == from_redis


def test_a_publish_in_this_process_lets_go_of_every_copy_at_once(local, article, fast):
    get(fast, article.url)
    get(fast, article.url)
    assert article.url in local.entries
    page_cache.invalidate_all_pages()
    assert not local.entries
    assert get(fast, article.url)[1]["X-Page-Cache"] == "miss"


def test_a_publish_in_another_process_reaches_this_ones_copies(local, article, fast):
    get(fast, article.url)
    get(fast, article.url)
    assert article.url in local.entries
    seen = local.messages
    in_another_process("page_cache.invalidate_all_pages()")
    wait_for_message(local, seen)
    assert not local.entries
    assert get(fast, article.url)[1]["X-Page-Cache"] == "miss"


def test_a_path_forgotten_in_another_process_is_let_go_of_alone(local, article, russian_article, fast):
    for path in (article.url, russian_article.url):
        get(fast, path)
        get(fast, path)
    seen = local.messages
    in_another_process(f"page_cache.forget_path({article.url!r})")
    wait_for_message(local, seen)
    assert article.url not in local.entries
    assert russian_article.url in local.entries
    assert get(fast, article.url)[1]["X-Page-Cache"] == "miss"


def test_copies_last_no_longer_than_the_setting(redis_cache, local, article, fast):
    get(fast, article.url)
    with override_settings(PAGE_CACHE_LOCAL_SECONDS=1e-9):  # any copy is already too old
        before = mget_calls(redis_cache)
        for _ in range(3):
            assert get(fast, article.url)[1]["X-Page-Cache"] == "hit"
        assert mget_calls(redis_cache) - before == 3


def test_only_so_many_pages_are_kept(local, articles, fast):
    paths = [a.url for a in articles[:4]]
    with override_settings(PAGE_CACHE_LOCAL_PAGES=2):
        for path in paths:
            get(fast, path)
            get(fast, path)
        assert list(local.entries) == paths[-2:]


def test_nothing_is_kept_without_redis_or_while_not_listening(article):
    assert page_memo.memo() is None  # the tests' local-memory cache
    unreachable = page_memo.PageMemo("redis://127.0.0.1:1/0", "samizdat:test")
    try:
        unreachable.keep("/x/", {"expires": float("inf")}, unreachable.epoch)
        assert unreachable.get("/x/") is None and not unreachable.entries
    finally:
        unreachable.stop()
