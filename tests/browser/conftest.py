import pytest

from tests.static_host import static_host


@pytest.fixture(scope="session")
def _reading_server_thread(django_db_setup, django_db_blocker):
    """A real HTTP server over the test database with the demo newsroom in it.

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
