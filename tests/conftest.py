import io
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("SAMIZDAT_ENV", "test")

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections

from tests.waiting import EVENT_MS, EVENT_SECONDS

# The database the settings name, before any test database replaces it.
CONFIGURED_DATABASE = settings.DATABASES["default"]["NAME"]


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker, django_db_keepdb, django_db_createdb):
    """The test database holds the demo newsroom, loaded once for the whole run.

    pytest-django creates test databases only for the collected tests that ask for them (the ``db`` fixture or the
    ``django_db`` mark). The browser tests and the export walks read the committed demo data through fixtures that
    depend on this one instead, so when only they run, the test database is created here, the same way.
    """
    from django.test.utils import setup_databases, teardown_databases

    created = None
    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        if connections["default"].settings_dict["NAME"] == CONFIGURED_DATABASE:
            verbosity = request.config.option.verbose
            created = setup_databases(verbosity=verbosity, interactive=False, aliases={"default"}, keepdb=keepdb)
        call_command("load_demo", verbosity=0)
    yield
    if created is not None and not keepdb:
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=request.config.option.verbose)


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


# --- The one headless Chromium of a run (browser tests and the export walks share it: Playwright allows one sync
# instance per thread).

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the live server are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium(django_db_setup):
    """One headless Chromium for the session. It depends on the test database only so that it closes first: its
    keep-alive connections hold the test server's request threads, and with them database connections."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EVENT_MS)  # an expectation waits for the page to change, up to the suite's ceiling
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run `sudo apt-get install -y chromium` (make test does it as root).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        # While Playwright runs, this thread has an event loop, and Django (asgiref's Local) then keeps its database
        # connections apart from those it opened before: close them here, or one stays open and the test database
        # cannot be dropped at the end ("being accessed by other users").
        connections.close_all()
        browser.close()
    # The test server's request threads end once their sockets close, releasing their database connections.
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(EVENT_SECONDS)
