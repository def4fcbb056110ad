import os
import shutil
import time

import pytest

from tests.static_host import static_host

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
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run `sudo apt-get install -y chromium` (make test does it as root).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    time.sleep(0.5)  # the server's request threads see their sockets close and release their database connections


@pytest.fixture(scope="session")
def _reading_server_thread(django_db_setup, django_db_blocker, demo_export):
    """A real HTTP server over the test database with the demo newsroom in it.

    It starts after the demo export (``demo_export``), whose worker processes are forked: a process forked while this
    server's thread holds a PostgreSQL connection would, on dropping its copy, end that connection for the server.

    pytest-django's ``live_server`` would flush the database after each test (it makes tests transactional), which
    would take the demo content away from every later test; the browser tests only read, so one server over the
    committed demo data serves them all.
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test.testcases import LiveServerThread

    overrides = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
    for conn in overrides.values():
        conn.inc_thread_sharing()  # the in-memory SQLite database exists only on this one connection
    with django_db_blocker.unblock():
        thread = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override=overrides or None, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    with django_db_blocker.unblock():
        thread.terminate()
    for conn in overrides.values():
        conn.dec_thread_sharing()


@pytest.fixture
def reading_server(_reading_server_thread, django_db_blocker):
    with django_db_blocker.unblock():
        yield _reading_server_thread


# The static export of the demo (``demo_export`` in tests/conftest.py), for the browser walks over a static mirror.


@pytest.fixture(scope="session")
def export_server(demo_export):
    """The demo export served by ``python -m http.server``, the plainest static host: no headers of ours at all."""
    with static_host(demo_export.root) as base:
        yield base.rstrip("/")
