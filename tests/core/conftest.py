"""Tests here call the site's WSGI application itself (the page cache's fast path sits in front of Django's handler).
A real request ends by closing a database connection that is past its age or inside a transaction; under the test
runner the connection is the test's own, in the test's transaction, so, as Django's test client does, its requests
leave it open."""

import pytest
from django.core import signals
from django.db import close_old_connections


@pytest.fixture(autouse=True)
def keep_the_tests_connection():
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
