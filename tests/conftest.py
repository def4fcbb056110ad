import os

os.environ.setdefault("SAMIZDAT_ENV", "test")

import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the demo newsroom, loaded once for the whole run."""
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)


@pytest.fixture(autouse=True)
def empty_page_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def articles(db):
    from publishing.models import ArticlePage

    return list(ArticlePage.objects.live().order_by("-first_published_at"))


@pytest.fixture
def article(articles):
    """An English demo article with a lead image, topics and bylines."""
    return next(a for a in articles if a.language == "en" and a.lead_image_id and a.topics.exists())


@pytest.fixture
def russian_article(articles):
    return next(a for a in articles if a.language == "ru")
