import io
import os
from dataclasses import dataclass
from pathlib import Path

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


@dataclass
class DemoExport:
    out: Path  # the command's OUT directory
    root: Path  # OUT/current, resolved
    in_process: object  # the ExportResult of the export rendered without worker processes
    stdout: str


@pytest.fixture(scope="session")
def demo_export(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo newsroom exported for the whole run: once by ``export_site`` and once by ``manage.py export_mirror``,
    both rendering in this process. Worker processes are forked from a process that, under the test runner, may hold
    database connections of other threads (the reading server's); the bench (bench/export.py) runs the worker pool.
    """
    from mirrors.export.run import ExportOptions, export_site

    out = tmp_path_factory.mktemp("export")
    stdout = io.StringIO()
    with django_db_blocker.unblock():
        in_process = export_site(tmp_path_factory.mktemp("export-in-process"), ExportOptions(jobs=1, brotli_quality=5))
        call_command("export_mirror", str(out), "--jobs", "1", "--brotli-quality", "5", stdout=stdout)
    return DemoExport(out=out, root=(out / "current").resolve(), in_process=in_process, stdout=stdout.getvalue())
