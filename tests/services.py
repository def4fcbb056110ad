"""The servers the suite talks to, found or started: PostgreSQL for the deploy tests, on whichever machine runs them.

The deploy tests make databases of their own on a PostgreSQL server: ``SAMIZDAT_STACK_PG`` if set, else the test run's
own when it runs on PostgreSQL (``.ci/run`` starts one), else the machine's on 127.0.0.1:5432 if it lets ``postgres``
in, else a throw-away cluster started here (``initdb`` with Debian's ``postgresql`` package, as the ``postgres`` user
when run as root), on a free port, removed when the run ends.
"""

import atexit
import functools
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.parse

import psycopg

MACHINE_PG = "postgres://postgres@127.0.0.1:5432/postgres"
INSTALL_PG = "scripts/ensure_system.sh postgresql (as root), or: sudo apt-get install -y postgresql"


@functools.cache
def postgres_admin_url() -> str:
    if os.environ.get("SAMIZDAT_STACK_PG"):
        return os.environ["SAMIZDAT_STACK_PG"]
    url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", ""))
    if url.scheme.startswith("postgres"):
        return urllib.parse.urlunsplit(url._replace(path="/postgres"))
    if _lets_in(MACHINE_PG):
        return MACHINE_PG
    return _throwaway_cluster()


def _lets_in(url):
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _throwaway_cluster():
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(path.split("/")[-2]))
    if not versions:
        raise RuntimeError(f"No PostgreSQL server answers and none is installed. Run {INSTALL_PG}")
    bindir = versions[-1]
    directory = tempfile.mkdtemp(prefix="samizdat-test-pg-")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(directory, "postgres", "postgres")
    data, log, port = f"{directory}/data", f"{directory}/log", _free_port()
    subprocess.run(
        [*prefix, f"{bindir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    started = subprocess.run(
        [*prefix, f"{bindir}/pg_ctl", "-D", data, "-l", log, "-w", "-o", options, "start"],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        raise RuntimeError(f"A throw-away PostgreSQL did not start:\n{started.stdout}{started.stderr}")

    def stop():
        subprocess.run([*prefix, f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)

    atexit.register(stop)
    return f"postgres://postgres@127.0.0.1:{port}/postgres"


# --- Redis: the tests that prove several app processes agree use one database number each on 127.0.0.1:6379.


def redis_caches(url: str) -> dict:
    """``CACHES`` for Django's Redis backend at ``url``."""
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


def empty_redis(url: str):
    """A client of the Redis database at ``url``, emptied; the test fails, saying what to run, if Redis is down."""
    import pytest
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(
            "Redis is not running on 127.0.0.1:6379 (`make test` starts it; or `redis-server --daemonize yes`)."
        )
    client.flushdb()
    return client
