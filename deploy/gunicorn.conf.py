"""gunicorn for Samizdat: ``gunicorn -c deploy/gunicorn.conf.py samizdat.wsgi`` (deploy/systemd/samizdat-web.service).

Tuned from the environment (the same /etc/samizdat/samizdat.env the app reads):

* ``GUNICORN_BIND`` — where nginx reaches the app, ``127.0.0.1:8000`` by default. A TCP address on the loopback, not
  a unix socket: behind a unix socket every request's peer address is empty, so ``TRUSTED_PROXIES`` could not name
  nginx and every per-reader limit would count all readers as one. Only local processes can connect to it, which is
  also what lets the app believe nginx's X-Forwarded-Proto (samizdat/settings.py).
* ``GUNICORN_WORKERS`` (default: two per CPU) and ``GUNICORN_THREADS`` (default 4) — threaded workers: a reading page
  the tree does not hold, a checkout or a webhook waits on the database or Stripe, not the CPU.
* ``GUNICORN_TIMEOUT`` (default 30 s) — a request still running then is ended; on a restart or ``systemctl reload``
  (HUP) workers get as long to finish what they are doing.
* ``GUNICORN_ACCESS_LOG`` — off by default: nginx logs requests (or does not: readers are at risk), and the app
  should not keep a second list of who read what. ``-`` writes it to standard output (the journal).

gunicorn's own log lines (its error log names the request of an error; its access log every request) go through
the app's redaction filter (``core/log_redaction.py``, ``logger_class`` below), like the app's: a magic link's token
or a pay page's id is written as ``[redacted]``.

gunicorn's own ``forwarded_allow_ips`` does not matter here: the app works out the client's address itself
(``core.client_address`` with ``TRUSTED_PROXIES``) and the scheme from ``SECURE_PROXY_SSL_HEADER``.
"""

import os

from gunicorn.glogging import Logger

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = timeout
# Longer than nginx keeps an idle upstream connection (60 s), so gunicorn never closes one nginx is about to reuse.
keepalive = 75
# A worker is replaced after this many requests (spread out, so they are not all replaced at once).
max_requests = 5000
max_requests_jitter = 500

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"


class RedactingLogger(Logger):
    """gunicorn's logger, with the app's filter on each of its handlers: no secret of a link in its lines."""

    def setup(self, cfg):
        super().setup(cfg)  # (again on every reload, with new handlers)
        from core.log_redaction import RedactSecrets  # the checkout is on sys.path once gunicorn has read this file

        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(existing, RedactSecrets) for existing in handler.filters):
                    handler.addFilter(RedactSecrets())


logger_class = RedactingLogger
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "samizdat"
# Not preloaded: `systemctl reload samizdat-web` (HUP) then starts workers with the new code.
preload_app = False
