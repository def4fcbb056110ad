"""Several app processes share pages and invalidation through Redis (CACHE_URL=redis://…)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from tests.services import empty_redis, redis_caches

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/14"
REDIS_CACHES = redis_caches(REDIS_URL)

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache():
    client = empty_redis(REDIS_URL)
    with override_settings(CACHES=REDIS_CACHES):  # Django swaps its cache connections on this setting change
        assert "Redis" in type(caches["default"]).__name__
        yield client
    client.flushdb()


def other_process_invalidates():
    """Another app process (a separate interpreter) forgets all pages, as a publish there would."""
    code = "import django; django.setup(); from core.page_cache import invalidate_all_pages; invalidate_all_pages()"
    env = {
        "SAMIZDAT_ENV": "test",
        "CACHE_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "samizdat.settings",
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def test_a_page_cached_in_redis_is_forgotten_when_another_process_publishes(redis_cache, article):
    client = Client()
    assert client.get(article.url).headers["X-Page-Cache"] == "miss"
    assert client.get(article.url).headers["X-Page-Cache"] == "hit"
    assert any(key.startswith(b":1:samizdat:page:") for key in redis_cache.keys("*"))
    other_process_invalidates()
    assert client.get(article.url).headers["X-Page-Cache"] == "miss"
    assert client.get(article.url).headers["X-Page-Cache"] == "hit"
