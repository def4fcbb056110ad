"""The site's WSGI application, timed: what bench/payments.py serves with gunicorn instead of ``samizdat.wsgi``.

Every response gets a ``Server-Timing`` header with three figures, in milliseconds:

* ``app`` — the server's own time for the request: from the moment the application is called until Django hands over
  the status and headers (the body is already rendered then), *less* the time spent waiting for the card provider;
* ``provider`` — the time spent in calls to the Stripe API (localstripe here), measured around the Stripe SDK's HTTP
  client, the one documented place where the SDK lets a program choose how it talks HTTP;
* ``total`` — both together.

Nothing else changes: the same settings, middleware and views answer. It exists only for benchmarks; production runs
``samizdat.wsgi``.

With ``BENCH_PROFILE_DIR=<dir>`` in the environment, each thread of each worker also profiles the requests it answers
(cProfile) and writes its figures to ``<dir>/<pid>-<thread>.prof`` every 20 requests, for ``pstats`` to read: where a
request's time goes, under the real load. Profiling slows the server, so figures printed in such a run are not
comparable with others.
"""

import cProfile
import os
import threading
import time

import stripe

from samizdat.wsgi import application as django_application
from support.providers.stripe_http import KeepAliveClient

_timing = threading.local()
PROFILE_DIR = os.environ.get("BENCH_PROFILE_DIR", "")
PROFILE_EVERY = 20


class TimedClient(KeepAliveClient):
    """The HTTP client the site gives the SDK, adding the time each call takes to the current request's provider
    time."""

    def request(self, method, url, headers, post_data=None):
        started = time.perf_counter()
        try:
            return super().request(method, url, headers, post_data)
        finally:
            _timing.provider = getattr(_timing, "provider", 0.0) + time.perf_counter() - started


stripe.default_http_client = TimedClient()


def application(environ, start_response):
    _timing.provider = 0.0
    started = time.perf_counter()

    def timed_start_response(status, headers, exc_info=None):
        total = time.perf_counter() - started
        provider = _timing.provider
        headers = [*headers, ("Server-Timing", _header(total - provider, provider, total))]
        return start_response(status, headers, exc_info)

    if not PROFILE_DIR:
        return django_application(environ, timed_start_response)
    profile = getattr(_timing, "profile", None)
    if profile is None:
        profile = _timing.profile = cProfile.Profile()
    profile.enable()
    try:
        return django_application(environ, timed_start_response)
    finally:
        profile.disable()
        _timing.count = getattr(_timing, "count", 0) + 1
        if _timing.count % PROFILE_EVERY == 0:
            profile.dump_stats(os.path.join(PROFILE_DIR, f"{os.getpid()}-{threading.get_ident()}.prof"))


def _header(app, provider, total):
    return f"app;dur={app * 1000:.3f}, provider;dur={provider * 1000:.3f}, total;dur={total * 1000:.3f}"
