"""Benchmark the two support endpoints readers' browsers call most, and print the figures (never assert on them).

On a throw-away site (production settings, DEBUG off, demo content), served by gunicorn as production would:

1. **Beacon events/s**: ``POST /support/events/`` with a body of 10 events (the reader script's batch), loaded by wrk
   with a Lua script (a threaded Python client when wrk cannot be had). Every beacon is a write: one UPDATE per arm
   in one transaction. Requests/s × 10 is events/s. Afterwards the counters in the database are summed and compared
   with the events the load generator saw accepted (204), both printed. The site trusts 127.0.0.1 as its proxy, and
   each beacon comes from another reader (``X-Forwarded-For``), as through nginx: each client address has its own
   rate and its own impressions to explain its clicks (support/beacons.py). A last short run sends every beacon from
   one address, to show that limit at work.
2. **goal.json requests/s**: ``GET /support/goal.json``, warmed first, so it is answered from the page cache.

The database is SQLite in the temp directory, or PostgreSQL with ``--database-url postgres://…@127.0.0.1/<name>``:
a database of that name that does not exist yet is created for the run and dropped afterwards; one that exists is
used as it is (it is migrated and gets the demo content, so it must be a throw-away one). SQLite takes one writer at
a time, so beacons queue for its lock; PostgreSQL takes them side by side.

Each load run lasts at most 15 s and the whole script about a minute (PostgreSQL a little more). It only ever talks to
127.0.0.1. Run with ``.venv/bin/python bench/support_endpoints.py``; ``--help`` lists the options.
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# bench/reading_pages.py: the throw-away site, gunicorn and the wrk helpers (this directory is on sys.path when the
# script is run by path).
import reading_pages as rp

HOST = rp.HOST
WARM_SECONDS = 2
EVENTS_PER_BEACON = 10
TARGET_EVENTS_PER_SECOND = 1_000
TARGET_GOAL_RPS = 2_000
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


# --- options


def local_database_url(text):
    parts = urlsplit(text)
    if not parts.scheme.startswith(("postgres", "sqlite")):
        raise argparse.ArgumentTypeError("give a postgres:// or sqlite:// URL")
    if parts.scheme.startswith("postgres") and (parts.hostname or "") not in LOCAL_HOSTS:
        raise argparse.ArgumentTypeError("the benchmark only talks to 127.0.0.1")
    if parts.scheme.startswith("postgres") and not parts.path.strip("/"):
        raise argparse.ArgumentTypeError("name the database, e.g. postgres://postgres@127.0.0.1:5432/samizdat_bench")
    return text


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--workers", type=rp.positive_int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="gthread", help="gunicorn worker class")
    parser.add_argument("--threads", type=rp.positive_int, default=4, help="threads per gthread worker (sync uses 1)")
    parser.add_argument(
        "--duration", type=rp.bounded_duration, default=10, help=f"seconds per load run (at most {rp.MAX_RUN_SECONDS})"
    )
    parser.add_argument("--connections", type=rp.positive_int, default=32, help="concurrent keep-alive connections")
    parser.add_argument(
        "--database-url",
        type=local_database_url,
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="postgres://…@127.0.0.1/<name> (created and dropped when it does not exist yet);\n"
        "default: $BENCH_DATABASE_URL, else SQLite in the temp directory",
    )
    parser.add_argument(
        "--load-generator", choices=("auto", "wrk", "python"), default="auto", help="auto: wrk if it can be had"
    )
    parser.add_argument(
        "--redis-db",
        type=int,
        default=rp.REDIS_DB,
        help=f"Redis database on {HOST}:{rp.REDIS_PORT} for the cache, flushed before and after\n"
        "(default %(default)s; give another one to run beside bench/reading_pages.py, which uses the same)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (database, gunicorn log)")
    return parser.parse_args(argv)


# --- a PostgreSQL database made for the run


def _maintenance_connection(url):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or HOST,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


@contextlib.contextmanager
def throwaway_postgres(url):
    """Create the database ``url`` names if it does not exist, and drop it afterwards (only if created here)."""
    if not url or not urlsplit(url).scheme.startswith("postgres"):
        yield
        return
    from psycopg import sql

    name = urlsplit(url).path.strip("/")
    with _maintenance_connection(url) as conn:
        created = not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if created:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"  created PostgreSQL database {name} for this run", flush=True)
    try:
        yield
    finally:
        if created:
            from django.apps import apps

            if apps.ready:  # this process's own connection to the database goes first
                from django.db import connections

                connections.close_all()
            with _maintenance_connection(url) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            print(f"  dropped PostgreSQL database {name}", flush=True)


# --- the site


def prepare_site(tmp, database_url, redis_db):
    """Migrate and load the demo (no collectstatic, unlike reading_pages: these endpoints serve no static file)."""
    rp.heading("Preparing a throw-away site")
    env, cache_label, database_label = rp.site_environment(tmp, database_url, redis_db)
    env["TRUSTED_PROXIES"] = HOST  # the load generators play nginx, naming each reader in X-Forwarded-For
    print(f"  directory {tmp}; {database_label}; CACHE_URL={env['CACHE_URL']}", flush=True)
    rp.manage(env, "migrate", "--noinput", "-v0")
    rp.manage(env, "load_demo", "-v0")
    return rp.Site(tmp=tmp, env=env, cache_label=cache_label, database_label=database_label)


def warn_if_busy():
    warning = rp.busy_warning(rp.busy_cpu_share())
    if warning:
        print(f"  {warning}")


def beacon_body():
    """The demo campaign's id and a body of 10 events over the default panel, notice and appeal variants (3 arms)."""
    from support.models import Campaign

    campaign = Campaign.objects.get(language="en", is_active=True)
    default = {v.surface: v.key for v in campaign.variants.filter(is_default=True, enabled=True)}
    panel, notice, appeal = default["panel"], default["notice"], default["appeal"]
    events = [[panel, "impression"]] * 3 + [[panel, "click"]]
    events += [[notice, "impression"]] * 3
    events += [[appeal, "impression"]] * 2 + [[appeal, "close"]]
    assert len(events) == EVENTS_PER_BEACON
    return campaign.pk, json.dumps({"campaign": campaign.pk, "events": events}, separators=(",", ":"))


def stored_events(campaign_id):
    """Every event counted for the campaign so far (impressions + clicks + closes over all days and arms)."""
    from django.db import connections
    from django.db.models import F, Sum

    from support.models import AskCounter

    total = AskCounter.objects.filter(campaign_id=campaign_id).aggregate(
        n=Sum(F("impressions") + F("clicks") + F("closes"))
    )["n"]
    connections.close_all()  # SQLite: hold no lock or snapshot while gunicorn writes
    return total or 0


# --- load generators for the POST


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"

local threads = {{}}
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("id", thread_count)
  table.insert(threads, thread)
end
function init(args) accepted = 0; refused = 0; sent = 0 end
-- Every beacon from another reader behind the proxy: 10.<thread>.x.y, 65,536 of them per thread before one repeats.
function request()
  sent = sent + 1
  local client = string.format("10.%d.%d.%d", id % 256, math.floor(sent / 256) % 256, sent % 256)
  return wrk.format(nil, nil, {{["Content-Type"] = "text/plain;charset=UTF-8", ["X-Forwarded-For"] = client}})
end
function response(status, headers, body)
  if status == 204 then accepted = accepted + 1 else refused = refused + 1 end
end
function done(summary, latency, requests)
  local a, r = 0, 0
  for _, thread in ipairs(threads) do a = a + thread:get("accepted"); r = r + thread:get("refused") end
  io.write(string.format("BEACONS accepted %d refused %d\\n", a, r))
end
"""


@dataclass
class BeaconLoad:
    load: object  # reading_pages.Load
    accepted: int = 0  # beacons answered 204, as the load generator saw them
    refused: int = 0


def lua_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk_post(wrk, port, body, connections, duration, tmp):
    script = Path(tmp) / "beacon.lua"
    script.write_text(WRK_SCRIPT.format(body=lua_string(body)))
    threads = min(2, connections)
    # A long --timeout: a beacon queued behind SQLite's write lock is slow, not lost; wrk would otherwise give up on it
    # after 2 s while the server still counts it.
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency"]
    command += ["-s", str(script)]
    command.append(f"http://{HOST}:{port}/support/events/")
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 10)
    except subprocess.TimeoutExpired:
        return BeaconLoad(rp.Load(generator="wrk", connections=connections, failure="wrk did not finish in time"))
    output = result.stdout + result.stderr
    outcome = BeaconLoad(rp.parse_wrk(output, connections))
    if match := re.search(r"BEACONS accepted (\d+) refused (\d+)", output):
        outcome.accepted, outcome.refused = int(match.group(1)), int(match.group(2))
    return outcome


def reader_address(thread, number):
    """The ``number``-th reader of load thread ``thread``, as nginx names it in X-Forwarded-For."""
    return f"10.{100 + thread % 156}.{number // 256 % 256}.{number % 256}"


def run_python_post(port, body, connections, duration, one_address=None):
    """Keep-alive connections in threads, each POSTing the beacon back to back, each from another reader (or all
    from ``one_address``); exact counts of 204s."""
    payload = body.encode()
    latencies, counts, lock = [], {"accepted": 0, "refused": 0, "errors": 0}, threading.Lock()
    deadline = time.perf_counter() + duration

    def client(thread):
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine, accepted, refused, errors = [], 0, 0, 0
        while (started := time.perf_counter()) < deadline:
            address = one_address or reader_address(thread, len(mine) + errors)
            headers = {"Content-Type": "text/plain;charset=UTF-8", "X-Forwarded-For": address}
            try:
                conn.request("POST", "/support/events/", body=payload, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                errors += 1
                continue
            mine.append((time.perf_counter() - started) * 1000)
            if response.status == 204:
                accepted += 1
            else:
                refused += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["accepted"] += accepted
            counts["refused"] += refused
            counts["errors"] += errors

    begun = time.perf_counter()
    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 35)
    elapsed = time.perf_counter() - begun
    load = rp.Load(generator="python http.client threads", connections=connections)
    load.requests, load.seconds = len(latencies), elapsed
    load.errors = counts["refused"] + counts["errors"]
    load.rps = len(latencies) / elapsed if elapsed else 0.0
    load.latency_ms = {share: rp.percentile(latencies, share / 100) for share in (50, 75, 90, 99)}
    if not latencies:
        load.failure = "no request succeeded"
    return BeaconLoad(load, counts["accepted"], counts["refused"])


# --- the measurements


@dataclass
class Result:
    label: str
    load: object = None
    cpu_ms_per_request: float = float("nan")
    note: str = ""


def measure_beacons(server, site, args, wrk):
    rp.heading(f"Beacons: POST /support/events/, {EVENTS_PER_BEACON} events each")
    campaign_id, body = beacon_body()
    print(f"  body ({len(body)} bytes, text/plain as sendBeacon sends it): {body}", flush=True)
    status, _response, content = post_once(server.port, body)
    print(f"  one beacon by hand: status {status} {content[:80]!r}", flush=True)

    def run(duration):
        if wrk:
            return run_wrk_post(wrk, server.port, body, args.connections, duration, site.tmp)
        return run_python_post(server.port, body, args.connections, duration)

    run(WARM_SECONDS)  # boots every worker and opens every database connection; not reported
    warn_if_busy()
    before = stored_events(campaign_id)
    cpu_before = rp.tree_cpu_seconds(server.process.pid)
    print(f"  loading for {args.duration} s with {args.connections} connections ...", flush=True)
    outcome = run(args.duration)
    cpu = rp.tree_cpu_seconds(server.process.pid) - cpu_before
    time.sleep(1.0)  # let the requests still in flight when the generator stopped finish
    stored = stored_events(campaign_id) - before
    load = outcome.load
    rp.print_load("beacons", load)
    result = Result("beacons", load, cpu * 1000 / load.requests if load.requests else float("nan"))
    if load.failure:
        return result
    accepted_events = outcome.accepted * EVENTS_PER_BEACON
    socket_errors = max(0, load.errors - outcome.refused)  # parse_wrk adds non-2xx answers to the socket errors
    print(
        f"  = {load.rps * EVENTS_PER_BEACON:,.0f} events/s; beacons accepted {outcome.accepted:,}, "
        f"refused {outcome.refused:,}; gunicorn CPU {result.cpu_ms_per_request:.2f} ms per beacon"
    )
    print(f"  events accepted (204s seen x {EVENTS_PER_BEACON}): {accepted_events:,}")
    print(f"  events stored in the counters:          {stored:,}")
    extra = stored - accepted_events
    if extra == 0:
        result.note = "counters equal accepted events"
    elif 0 < extra <= (args.connections + socket_errors) * EVENTS_PER_BEACON and extra % EVENTS_PER_BEACON == 0:
        # wrk stops at its deadline without reading the answers to requests it has already sent (one per
        # connection), and gives up on requests that time out; the server still counts both.
        result.note = (
            f"counters = accepted + {extra // EVENTS_PER_BEACON} beacons whose answer wrk never read (in flight "
            f"at its deadline: at most {args.connections}, one per connection; timed out: {socket_errors}): consistent"
        )
    else:
        result.note = f"MISMATCH: {extra:+,} events between counters and accepted beacons"
    print(f"  -> {result.note}")
    if wrk:
        exact_check(server, body, campaign_id, args.connections)
    one_address_check(server, body)
    return result


def one_address_check(server, body):
    """Every beacon from one client address: its rate (SUPPORT_BEACON_LIMIT events per window) refuses the rest."""
    outcome = run_python_post(server.port, body, 4, 1, one_address="198.51.100.200")
    print(
        f"  one client address alone (1 s, 4 connections): beacons accepted {outcome.accepted:,} "
        f"({outcome.accepted * EVENTS_PER_BEACON:,} events), refused {outcome.refused:,} (429: its rate is used up)"
    )


def exact_check(server, body, campaign_id, connections):
    """wrk leaves its last requests unanswered; the Python client waits for every answer, so its count is exact."""
    before = stored_events(campaign_id)
    outcome = run_python_post(server.port, body, min(connections, 8), WARM_SECONDS)
    time.sleep(0.5)
    stored = stored_events(campaign_id) - before
    accepted = outcome.accepted * EVENTS_PER_BEACON
    verdict = "equal" if stored == accepted else f"MISMATCH ({stored - accepted:+,})"
    print(
        f"  exact check ({WARM_SECONDS} s, Python client, every answer read): events accepted {accepted:,}, "
        f"stored {stored:,}: {verdict}"
    )


def post_once(port, body):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("POST", "/support/events/", body=body.encode(), headers={"Content-Type": "text/plain"})
        response = conn.getresponse()
        return response.status, response, response.read()
    finally:
        conn.close()


def measure_goal(server, args, wrk):
    path = "/support/goal.json"
    rp.heading(f"GET {path} from the page cache")
    rp.fetch(server.port, path, {"Accept-Encoding": "gzip"})

    def run(duration):
        if wrk:
            return rp.run_wrk(wrk, f"http://{HOST}:{server.port}{path}", args.connections, duration)
        return rp.run_python_load(server.port, path, args.connections, duration)

    run(WARM_SECONDS)  # every worker renders it once (each has its own page cache without Redis)
    warn_if_busy()
    status, response, body = rp.fetch(server.port, path, {"Accept-Encoding": "gzip"})
    print(
        f"  status {status}, X-Page-Cache {response.getheader('X-Page-Cache')}, "
        f"Cache-Control {response.getheader('Cache-Control')!r}, Content-Encoding "
        f"{response.getheader('Content-Encoding') or 'identity'}, {len(body)} bytes; loading for {args.duration} s "
        f"with {args.connections} connections ...",
        flush=True,
    )
    cpu_before = rp.tree_cpu_seconds(server.process.pid)
    load = run(args.duration)
    cpu = rp.tree_cpu_seconds(server.process.pid) - cpu_before
    rp.print_load("goal.json", load)
    result = Result("goal.json", load, cpu * 1000 / load.requests if load.requests else float("nan"))
    if not load.failure:
        print(f"  gunicorn CPU {result.cpu_ms_per_request:.3f} ms per request")
    return result


def print_summary(site, args, beacons, goal):
    threads = f" x{args.threads} threads" if args.worker_class == "gthread" else ""
    print(
        f"\n== Samizdat support endpoints ({os.cpu_count()} cores, gunicorn {args.workers} workers "
        f"{args.worker_class}{threads}, {site.cache_label}, {site.database_label}) =="
    )
    for result, unit, factor, target in (
        (beacons, "events/s", EVENTS_PER_BEACON, TARGET_EVENTS_PER_SECOND),
        (goal, "goal.json req/s", 1, TARGET_GOAL_RPS),
    ):
        load = result.load if result else None
        if load is None or load.failure:
            print(f"{unit:<17} not measured")
            continue
        figure = load.rps * factor
        verdict = "meets" if figure >= target else "is BELOW"
        print(
            f"{unit:<17} {figure:>9,.0f}  (target {target:,}: {verdict} it)  p50 {load.latency_ms.get(50, 0):.2f} ms  "
            f"p99 {load.latency_ms.get(99, 0):.2f} ms  CPU {result.cpu_ms_per_request:.2f} ms/request  "
            f"({load.generator}, {load.connections} connections)"
        )
    if beacons and beacons.note:
        print(f"counters check:   {beacons.note}")
    print("(the load generator shares the CPUs with gunicorn; figures are printed, never asserted)")


# --- main


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="samizdat-bench-support-"))
    site = None
    try:
        with throwaway_postgres(args.database_url):
            site = prepare_site(tmp, args.database_url, args.redis_db)
            rp.setup_django(site.env)
            wrk = rp.ensure_wrk() if args.load_generator in ("auto", "wrk") else None
            print(f"  load generator: {wrk or 'Python http.client threads (a floor: the GIL holds it back)'}")
            with rp.gunicorn(site, args) as server:
                beacons = measure_beacons(server, site, args, wrk)
                goal = measure_goal(server, args, wrk)
            print_summary(site, args, beacons, goal)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        if site is not None and site.env["CACHE_URL"].startswith("redis://"):
            rp.flush_redis(args.redis_db)
    print(f"\n(whole run {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
