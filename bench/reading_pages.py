"""Benchmark Samizdat's reading pages and print the figures (never assert on them).

What is measured, on a throw-away site built in a temporary directory (production settings, DEBUG off, demo content):

1. **Uncached render per page type** (home, section front and archive, topic front, article, site RSS, sitemap,
   search), in this process through Django's test client: the whole cache is cleared before every request, so each
   figure is a full render *including* storing the page (gzip and brotli compression). Wall time
   (``perf_counter``), CPU time of this process (``process_time``), query count and body size are printed, and the
   median wall time *after a publish* (only the page cache's generation moves; Wagtail's cache entries stay warm).
2. **Cached throughput** of the newest article and of the home page, served by gunicorn as production would (no
   access log, page cache on, Redis when it answers on 127.0.0.1:6379, else local memory) and loaded by ``wrk`` (a
   threaded Python client when wrk cannot be had; the output says which). Requests per second, latency percentiles
   and the CPU time gunicorn spent per request are printed.
3. The brotli, gzip and identity sizes of the cached article as served.

Figures depend on the machine and on what else runs on it: the load generator and Redis share the CPUs with the
server, and a warning is printed when other processes kept the CPUs busy just before a measurement. The script prints
targets beside the figures but never fails because of a timing. It only ever talks to 127.0.0.1.

Run with ``.venv/bin/python bench/reading_pages.py`` (``make bench``); ``--help`` lists the options.
"""

import argparse
import base64
import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
REDIS_PORT = 6379
REDIS_DB = 15
MAX_RUN_SECONDS = 20  # no single load run may last longer
WARM_SECONDS = 2  # an unreported run before each measured one: boots every worker, fills every worker's cache
SETUP_TIMEOUT = 120  # per manage.py command
BUSY_THRESHOLD = 0.2  # warn when other processes keep this share of the CPUs busy before a measurement
TARGET_CACHED_RPS = 1_000
TARGET_UNCACHED_MS = 15.0


# --- options


def bounded_duration(text):
    value = int(text)
    if not 1 <= value <= MAX_RUN_SECONDS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_RUN_SECONDS} seconds")
    return value


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_args(argv=None):
    summary = __doc__.split("\n\n")[0]
    parser = argparse.ArgumentParser(description=summary, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--workers", type=positive_int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="gthread", help="gunicorn worker class")
    parser.add_argument("--threads", type=positive_int, default=4, help="threads per gthread worker (sync uses 1)")
    parser.add_argument(
        "--duration", type=bounded_duration, default=15, help=f"seconds per load run (at most {MAX_RUN_SECONDS})"
    )
    parser.add_argument("--connections", type=positive_int, default=64, help="concurrent keep-alive connections")
    parser.add_argument("--renders", type=positive_int, default=30, help="uncached renders per page type")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="database to build the site in (default: $BENCH_DATABASE_URL, else SQLite in the temp directory);\n"
        "it is migrated and gets the demo content, so give a throw-away one",
    )
    parser.add_argument(
        "--load-generator", choices=("auto", "wrk", "python"), default="auto", help="auto: wrk if it can be had"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (database, media, logs)")
    return parser.parse_args(argv)


# --- small helpers


def percentile(values, fraction):
    """Linear-interpolated percentile of ``values`` (``fraction`` in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def heading(text):
    print(f"\n== {text}", flush=True)


def busy_cpu_share(interval=0.5):
    """Share of all CPUs busy during ``interval`` seconds (Linux /proc/stat), or None where it cannot be read.

    Taken while the benchmark's own processes are idle, it tells how much other work competes for the CPUs.
    """

    def snapshot():
        with open("/proc/stat") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:9]]
        return sum(ticks), ticks[3] + ticks[4]  # everything; idle + iowait

    try:
        total_before, idle_before = snapshot()
        time.sleep(interval)
        total_after, idle_after = snapshot()
    except (OSError, ValueError, IndexError):
        return None
    elapsed = total_after - total_before
    return 1 - (idle_after - idle_before) / elapsed if elapsed else None


def busy_warning(share):
    if share is None or share < BUSY_THRESHOLD:
        return ""
    return f"WARNING: other processes kept {share:.0%} of the CPUs busy just before measuring; figures will be low"


def cpu_seconds(counts):
    """CPU seconds (user + system) used so far by the processes ``counts(pid, name, ppid)`` picks; None where /proc
    cannot tell."""
    total_ticks = 0
    try:
        entries = list(os.scandir("/proc"))
    except OSError:
        return None
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        name, _, rest = stat.partition("(")[2].rpartition(")")
        fields = rest.split()  # after the command name: state, ppid, ..., utime (12th), stime
        if counts(int(entry.name), name, int(fields[1])):
            total_ticks += int(fields[11]) + int(fields[12])
    return total_ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root_pid):
    """CPU seconds used so far by ``root_pid`` and its direct children (gunicorn's master and workers)."""
    return cpu_seconds(lambda pid, _name, ppid: root_pid in (pid, ppid))


def fetch(port, path, headers=None, timeout=5.0):
    """GET ``path`` from the local server on a fresh connection; return (status, the response, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response, response.read()
    finally:
        conn.close()


# --- 1. the throw-away site


@dataclass
class Site:
    tmp: Path
    env: dict
    cache_label: str
    database_label: str


def flush_redis(db=REDIS_DB):
    """Flush a benchmark's own Redis database (15 on 127.0.0.1:6379 by default); return whether Redis answered."""
    try:
        import redis
    except ImportError:
        return False
    client = redis.Redis(host=HOST, port=REDIS_PORT, db=db, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
        client.flushdb()
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()
    return True


def site_environment(tmp, database_url, redis_db=REDIS_DB):
    """The environment every process of the benchmark site runs with, and labels for the cache and database."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "samizdat.settings",
            "SAMIZDAT_ENV": "production",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            # The demo's mirrors are signed into a mirror list as they are added: a throw-away key of the run's own.
            "MIRROR_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "STATIC_ROOT": str(tmp / "static"),
            "SERVE_MEDIA": "1",
            "SECURE_SSL_REDIRECT": "0",  # plain HTTP to gunicorn on the loopback: no TLS proxy in front
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if flush_redis(redis_db):
        env["CACHE_URL"] = f"redis://{HOST}:{REDIS_PORT}/{redis_db}"
        cache_label = "Redis cache"
    else:
        env["CACHE_URL"] = "locmem://"
        cache_label = "locmem cache"
        print(
            f"WARNING: Redis does not answer on {HOST}:{REDIS_PORT}; using locmem://, so each gunicorn worker has its "
            "own page cache (the warm-up fills each of them).",
            flush=True,
        )
    scheme = urlsplit(env["DATABASE_URL"]).scheme or "sqlite"
    database_label = "SQLite" if scheme.startswith("sqlite") else "PostgreSQL" if "postgres" in scheme else scheme
    return env, cache_label, database_label


def manage(env, *arguments):
    command = [sys.executable, "manage.py", *arguments]
    started = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SETUP_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"`{' '.join(command[1:])}` took more than {SETUP_TIMEOUT} s; stopped.") from None
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"`{' '.join(command[1:])}` failed (exit {result.returncode}); see above.")
    print(f"  manage.py {' '.join(arguments)}  ({time.perf_counter() - started:.1f} s)", flush=True)


def prepare_site(tmp, database_url):
    heading("Preparing a throw-away site")
    env, cache_label, database_label = site_environment(tmp, database_url)
    print(f"  directory {tmp}; {database_label}; CACHE_URL={env['CACHE_URL']}", flush=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    return Site(tmp=tmp, env=env, cache_label=cache_label, database_label=database_label)


# --- 2. uncached renders, in this process


@dataclass
class Render:
    label: str
    path: str
    status: int = 0
    wall_ms: list = field(default_factory=list)
    cpu_ms: list = field(default_factory=list)
    queries: int = 0
    size: int = 0
    error: str = ""
    published_wall_ms: list = field(default_factory=list)

    @property
    def median_wall(self):
        return statistics.median(self.wall_ms) if self.wall_ms else float("nan")

    @property
    def p90_wall(self):
        return percentile(self.wall_ms, 0.9)

    @property
    def median_cpu(self):
        return statistics.median(self.cpu_ms) if self.cpu_ms else float("nan")

    @property
    def median_published_wall(self):
        return statistics.median(self.published_wall_ms) if self.published_wall_ms else float("nan")


def setup_django(env):
    """Configure Django in this process with the environment gunicorn gets."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def local_path(url):
    """The path (and query) of a page URL, whether Wagtail gave it relative or absolute."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def reading_pages():
    """(page type, path) for every page type measured; the topic and article come from the demo content."""
    from publishing.models import ArticlePage, Topic

    pages = [("home", "/"), ("section front", "/news/"), ("section archive", "/news/archive/1/")]
    topic = Topic.objects.first()
    if topic is not None:
        pages.append(("topic front", topic.get_absolute_url()))
    article = ArticlePage.objects.live().public().order_by("-first_published_at", "-pk").first()
    if article is not None and article.url:
        pages.append(("article", local_path(article.url)))
    pages += [("site RSS", "/feed.xml"), ("sitemap", "/sitemap.xml"), ("search", "/search/?q=bread")]
    return pages


def measure_render(client, label, path, repeats):
    """Warm once, then render ``path`` ``repeats`` times after clearing the whole cache, and as often after a publish.

    Clearing the whole cache also empties what Wagtail keeps there (site root paths, renditions): the coldest case.
    A publish only moves the page cache's generation, so the second figure is what readers wait for after one.
    """
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.page_cache import invalidate_all_pages

    render = Render(label=label, path=path)
    try:
        client.get(path, HTTP_ACCEPT_ENCODING="identity")
        for _ in range(repeats):
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                wall, cpu = time.perf_counter(), time.process_time()
                response = client.get(path, HTTP_ACCEPT_ENCODING="identity")
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            render.wall_ms.append(wall * 1000)
            render.cpu_ms.append(cpu * 1000)
            render.queries = max(render.queries, len(captured))
            render.status = response.status_code
            render.size = len(response.content)
            if response.status_code != 200:
                render.error = f"status {response.status_code}"
        for _ in range(repeats):
            invalidate_all_pages()
            wall = time.perf_counter()
            client.get(path, HTTP_ACCEPT_ENCODING="identity")
            render.published_wall_ms.append((time.perf_counter() - wall) * 1000)
    except Exception as exc:  # report every page type, even when one of them breaks
        render.error = f"{type(exc).__name__}: {exc}"
    return render


def measure_renders(site, repeats):
    heading(f"Uncached renders in this process ({repeats} each after one warm-up; the whole cache cleared before each)")
    setup_django(site.env)
    from django.db import connections
    from django.test import Client

    client = Client(SERVER_NAME=HOST, raise_request_exception=False)
    renders = [measure_render(client, label, path, repeats) for label, path in reading_pages()]
    connections.close_all()
    print_renders(renders)
    return renders


def print_renders(renders):
    row = "  {:<16} {:<40} {:>9} {:>9} {:>9} {:>8} {:>8} {:>13}  {}"
    print(row.format("page type", "path", "wall p50", "wall p90", "CPU p50", "queries", "bytes", "after publish", ""))
    for r in renders:
        path = r.path if len(r.path) <= 40 else r.path[:37] + "..."
        print(
            row.format(
                r.label,
                path,
                f"{r.median_wall:.1f} ms",
                f"{r.p90_wall:.1f} ms",
                f"{r.median_cpu:.1f} ms",
                r.queries,
                r.size,
                f"{r.median_published_wall:.1f} ms",
                f"<- {r.error}" if r.error else "",
            )
        )
    print(
        "  queries: the most seen in one request; bytes: the identity body; after publish: median wall time when only\n"
        "  the page cache's generation moved (Wagtail's own cache entries stay warm), as after a real publish."
    )


# --- 3. gunicorn


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    command: list
    log: Path


def gunicorn_command(port, args, app="samizdat.wsgi:application"):
    command = [
        str(BIN / "gunicorn"),
        app,
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--log-level",
        "warning",
    ]
    # gunicorn silently turns a sync worker with more than one thread into gthread, so sync gets exactly one.
    command += ["--threads", str(args.threads if args.worker_class == "gthread" else 1)]
    return command


def log_tail(path, lines=30):
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until_answers(server, timeout=90.0):  # workers boot slowly on a busy machine
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn exited (code {server.process.returncode}):\n{log_tail(server.log)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            fetch(server.port, "/robots.txt", timeout=2)
            return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s:\n{log_tail(server.log)}")


def stop_server(server):
    """Stop gunicorn and its workers: TERM to the master, then KILL to its process group if it lingers."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=5)
    # Workers that outlived their master (they share its process group, which this script created).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.process.pid, signal.SIGKILL)


@contextlib.contextmanager
def gunicorn(site, args, app="samizdat.wsgi:application"):
    """gunicorn serving ``app`` (another WSGI module may wrap the site's: bench/ is on gunicorn's Python path)."""
    port = free_port()
    command = gunicorn_command(port, args, app)
    if app != "samizdat.wsgi:application":
        command += ["--pythonpath", str(ROOT / "bench")]
    log = site.tmp / "gunicorn.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=site.env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(port=port, process=process, command=command, log=log)
    try:
        heading("Serving with gunicorn")
        print("  " + " ".join(command[1:]), flush=True)
        wait_until_answers(server)
        yield server
    finally:
        stop_server(server)


# --- 4. load generators


@dataclass
class Load:
    generator: str
    connections: int
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    latency_ms: dict = field(default_factory=dict)  # {50: ms, 75: ms, 90: ms, 99: ms}
    errors: int = 0
    failure: str = ""
    server_cpu_ms_per_request: float | None = None
    busy_before: float | None = None  # share of the CPUs other processes used just before the run


def ensure_wrk():
    """Path of wrk, installing it with apt when missing and running as root; None if it cannot be had."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("  wrk is missing; installing it with apt-get ...", flush=True)
    apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    for attempt in ([install], [["apt-get", "update", "-qq"], install]):
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            for step in attempt:
                subprocess.run(step, env=apt_env, capture_output=True, timeout=90, check=True)
            if shutil.which("wrk"):
                return shutil.which("wrk")
    return None


WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output, connections):
    load = Load(generator="wrk", connections=connections)
    if match := re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE):
        load.rps = float(match.group(1))
    if match := re.search(r"(\d+) requests in ([\d.]+)(us|ms|s)", output):
        load.requests = int(match.group(1))
        load.seconds = float(match.group(2)) * WRK_UNITS[match.group(3)] / 1000
    for share, value, unit in re.findall(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE):
        load.latency_ms[int(share)] = float(value) * WRK_UNITS[unit]
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        load.errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        load.errors += sum(int(n) for n in match.groups())
    if not load.rps:
        load.failure = "could not read wrk's output:\n" + output
    return load


def run_wrk(wrk, url, connections, duration):
    threads = min(2, connections)
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    command += ["-H", "Accept-Encoding: gzip", url]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 10)
    except subprocess.TimeoutExpired:
        return Load(generator="wrk", connections=connections, failure="wrk did not finish in time")
    return parse_wrk(result.stdout + result.stderr, connections)


def run_python_load(port, path, connections, duration):
    """Keep-alive connections in threads, each sending GETs back to back for ``duration`` seconds."""
    headers = {"Accept-Encoding": "gzip"}
    latencies = []  # list.extend is atomic under the GIL; each thread adds its own list once
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def client():
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        mine, failed = [], 0
        while (started := time.perf_counter()) < deadline:
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
            except (OSError, http.client.HTTPException):
                conn.close()  # the next request reconnects
                failed += 1
                continue
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    begun = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 15)
    elapsed = time.perf_counter() - begun
    load = Load(generator="python http.client threads", connections=connections)
    load.requests, load.seconds, load.errors = len(latencies), elapsed, errors[0]
    load.rps = len(latencies) / elapsed if elapsed else 0.0
    load.latency_ms = {share: percentile(latencies, share / 100) for share in (50, 75, 90, 99)}
    if not latencies:
        load.failure = "no request succeeded"
    return load


class LoadGenerator:
    """wrk when it can be had (or is asked for), else the Python client; says which in every result."""

    def __init__(self, choice):
        self.wrk = ensure_wrk() if choice in ("auto", "wrk") else None
        if choice == "wrk" and not self.wrk:
            print("  wrk was asked for but cannot be had; falling back to the Python client", flush=True)
        if not self.wrk:
            print(
                "  load generator: Python http.client threads (the GIL limits it: figures are a floor, not the "
                "server's ceiling)",
                flush=True,
            )
        else:
            print(f"  load generator: {self.wrk}", flush=True)

    def run(self, port, path, connections, duration):
        if self.wrk:
            return run_wrk(self.wrk, f"http://{HOST}:{port}{path}", connections, duration)
        return run_python_load(port, path, connections, duration)


def measure_cached(server, generator, label, path, args):
    """Warm ``path`` (unreported run), check it is a cache hit, then load it for ``args.duration`` seconds."""
    fetch(server.port, path, {"Accept-Encoding": "gzip"})
    generator.run(server.port, path, args.connections, WARM_SECONDS)
    status, response, _ = fetch(server.port, path, {"Accept-Encoding": "gzip"})
    hit = response.getheader("X-Page-Cache")
    print(
        f"  {label} {path}: status {status}, X-Page-Cache {hit}; "
        f"loading for {args.duration} s with {args.connections} connections ...",
        flush=True,
    )
    if status != 200 or hit != "hit":
        print(f"  WARNING: {path} should answer 200 from the page cache; the figures below are not of cached pages")
    busy = busy_cpu_share()
    if warning := busy_warning(busy):
        print(f"  {warning}")
    cpu_before = tree_cpu_seconds(server.process.pid)
    load = generator.run(server.port, path, args.connections, args.duration)
    load.busy_before = busy
    cpu_after = tree_cpu_seconds(server.process.pid)
    if cpu_before is not None and cpu_after is not None and load.requests:
        load.server_cpu_ms_per_request = (cpu_after - cpu_before) * 1000 / load.requests
    print_load(label, load)
    return load


def print_load(label, load):
    if load.failure:
        print(f"  {label}: FAILED: {load.failure}")
        return
    shares = "  ".join(f"p{share} {ms:.2f} ms" for share, ms in sorted(load.latency_ms.items()))
    errors = f"  ({load.errors} ERRORS)" if load.errors else ""
    print(f"  {label}: {load.rps:,.0f} req/s ({load.requests:,} in {load.seconds:.1f} s)  {shares}{errors}")
    if load.server_cpu_ms_per_request is not None:
        cores = os.cpu_count() or 1
        print(
            f"    gunicorn used {load.server_cpu_ms_per_request:.2f} ms CPU per request "
            f"(all {cores} cores for gunicorn alone: ~{cores * 1000 / load.server_cpu_ms_per_request:,.0f} req/s)"
        )


# --- 5. sizes per content coding


def print_encoding_sizes(server, path):
    heading(f"Cached article by Accept-Encoding ({path})")
    print(f"  {'asked':<10} {'status':>6} {'Content-Encoding':<17} {'Content-Length':>15} {'X-Page-Cache':>13}")
    for asked in ("br", "gzip", "identity"):
        try:
            status, response, _ = fetch(server.port, path, {"Accept-Encoding": asked})
        except (OSError, http.client.HTTPException) as exc:
            print(f"  {asked:<10} failed: {exc}")
            continue
        print(
            f"  {asked:<10} {status:>6} {response.getheader('Content-Encoding') or '(identity)':<17} "
            f"{response.getheader('Content-Length') or '?':>15} {response.getheader('X-Page-Cache') or '-':>13}"
        )


# --- 6. summary


def cached_line(label, load):
    if load is None or load.failure:
        return f"{label:<17}not measured"
    line = (
        f"{label:<17}{load.rps:,.0f} req/s  p50 {load.latency_ms.get(50, float('nan')):.2f} ms  "
        f"p99 {load.latency_ms.get(99, float('nan')):.2f} ms ({load.generator}, {load.connections} connections)"
    )
    if load.server_cpu_ms_per_request is not None:
        line += f"; server CPU {load.server_cpu_ms_per_request:.2f} ms/request"
    if load.errors:
        line += f"  [{load.errors} ERRORS]"
    return line


def print_summary(site, args, renders, article_load, home_load):
    threads = f" x{args.threads} threads" if args.worker_class == "gthread" else ""
    setup = (
        f"{os.cpu_count()} cores, gunicorn {args.workers} workers {args.worker_class}{threads}, "
        f"{site.cache_label}, {site.database_label}"
    )
    article = next((r for r in renders if r.label == "article"), None)
    print(f"\n== Samizdat reading-page benchmark ({setup}) ==")
    shares = [load.busy_before for load in (article_load, home_load) if load and load.busy_before is not None]
    if warning := busy_warning(max(shares, default=None)):
        print(warning)
    print(cached_line("cached article:", article_load))
    print(cached_line("cached home:", home_load))
    if article and article.wall_ms:
        print(
            f"uncached article render: median {article.median_wall:.1f} ms wall, {article.median_cpu:.1f} ms CPU, "
            f"{article.queries} queries (after a publish: {article.median_published_wall:.1f} ms)"
        )
    else:
        print("uncached article render: not measured" + (f" ({article.error})" if article else ""))
    print(
        f"targets: >= {TARGET_CACHED_RPS:,} cached article pages/s; "
        f"uncached article <= {TARGET_UNCACHED_MS:g} ms median"
    )
    verdicts = []
    if article_load and not article_load.failure:
        met = article_load.rps >= TARGET_CACHED_RPS
        verdicts.append(f"cached article {'meets' if met else 'is BELOW'} target")
    if article and article.wall_ms:
        met = article.median_wall <= TARGET_UNCACHED_MS
        verdicts.append(f"uncached article {'meets' if met else 'is ABOVE'} target")
    if verdicts:
        print("(" + "; ".join(verdicts) + " -- printed for information, never asserted)")


# --- main


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="samizdat-bench-"))
    site = None
    try:
        if warning := busy_warning(busy_cpu_share()):
            print(warning, flush=True)
        site = prepare_site(tmp, args.database_url)
        renders = measure_renders(site, args.renders)
        article_path = next((r.path for r in renders if r.label == "article"), None)
        article_load = home_load = None
        with gunicorn(site, args) as server:
            generator = LoadGenerator(args.load_generator)
            if article_path:
                article_load = measure_cached(server, generator, "cached article", article_path, args)
            home_load = measure_cached(server, generator, "cached home", "/", args)
            if article_path:
                print_encoding_sizes(server, article_path)
        print_summary(site, args, renders, article_load, home_load)
        print(f"\n(whole run {time.monotonic() - started:.0f} s)")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            if site is not None and site.env["CACHE_URL"].startswith("redis://"):
                flush_redis()


if __name__ == "__main__":
    main()
