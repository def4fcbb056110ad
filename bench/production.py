"""Benchmark the three ways an article page reaches readers, in one run, and print the figures (never assert on them).

On a throw-away site (production settings, DEBUG off, the demo content), the newest article is loaded by ``wrk``
(``--connections`` keep-alive connections, ``Accept-Encoding: gzip``, an unreported warm-up, then ``--duration``
seconds) as served by:

(a) **static copy**: Debian nginx serving the article's bytes as files with their ``.gz``/``.br`` twins, with the
    mirrors' server block (``mirrors.nginx.render``, ``gzip_static``); the ceiling. Then the same over TLS with the
    deploy site's own ``ssl_*`` settings (a TLS), the production path's like for like: b/(a TLS) is the figure that
    says what the production path costs beyond serving a file.
(b) **production path**: nginx with ``deploy/nginx/samizdat.conf`` as ``manage.py nginx_site`` fills it, in front of
    the published tree (``manage.py publish_tree``) and gunicorn, over TLS with a throw-away certificate, as
    ``deploy/`` ships it.
(c) **app origin alone**: gunicorn (``--workers`` x ``--threads``, gthread) with the Redis page cache, every request a
    cache hit answered by the page cache's WSGI fast path (core/fast_path.py) from the workers' own copies
    (core/page_memo.py); then the same with ``PAGE_CACHE_LOCAL_PAGES=0`` (a round trip to Redis per hit), and
    (before) with ``PAGE_CACHE_FAST_PATH=0``: hits answered by Django's middleware, as before the fast path
    (skip both: ``--no-before``).

It prints requests/s, p50 and p99 latency and the server's CPU per request for each, and the ratios b/a, c/a and
c/before (all measured in this run). wrk, nginx, gunicorn and Redis share the CPUs, so figures are floors and move
with whatever else runs; a warning is printed when other processes kept the CPUs busy just before a measurement.
Run with ``.venv/bin/python bench/production.py`` (``make bench``); ``--help`` lists the options.
"""

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import reading_pages as rp

REDIS_DB = 11
NGINX = "/usr/sbin/nginx"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
SITE_TEMPLATE = rp.ROOT / "deploy" / "nginx" / "samizdat.conf"
SERVER_NAME = "samizdat.example"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=rp.bounded_duration, default=10, help="seconds per measured run")
    parser.add_argument("--warm", type=rp.bounded_duration, default=2, help="seconds of unreported warm-up per run")
    parser.add_argument("--connections", type=rp.positive_int, default=50, help="wrk's keep-alive connections")
    parser.add_argument("--workers", type=rp.positive_int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=rp.positive_int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--nginx-workers", type=rp.positive_int, default=1, help="nginx worker processes")
    parser.add_argument(
        "--no-before",
        dest="before",
        action="store_false",
        help="skip the origin without the fast path, and without the workers' copies of pages",
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"), help="a throw-away database")
    parser.add_argument("--redis-db", type=int, default=REDIS_DB, help="Redis database, flushed before and after")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    args = parser.parse_args(argv)
    args.worker_class = "gthread"
    return args


@dataclass
class Result:
    label: str
    load: rp.Load | None = None
    note: str = ""


# --- the site


def prepare(tmp, args):
    rp.heading("Preparing a throw-away site")
    env, cache_label, database_label = rp.site_environment(tmp, args.database_url, args.redis_db)
    if not env["CACHE_URL"].startswith("redis://"):
        raise SystemExit(f"Redis must answer on {rp.HOST}:{rp.REDIS_PORT}: the origin is measured with its Redis cache")
    env["PUBLISHED_TREE_DIR"] = str(tmp / "tree")
    env["CANONICAL_URL"] = f"https://{SERVER_NAME}"
    env["ALLOWED_HOSTS"] += f",{SERVER_NAME}"
    env["PAGE_CACHE_FAST_PATH"] = "1"
    # nginx terminates TLS in front of the app and says so in X-Forwarded-Proto (deploy/); the app believes it from
    # the local proxy only.
    env["TRUSTED_PROXIES"] = "127.0.0.1"
    print(f"  directory {tmp}; {database_label}; {cache_label} (CACHE_URL={env['CACHE_URL']})", flush=True)
    rp.manage(env, "migrate", "--noinput", "-v0")
    rp.manage(env, "load_demo", "-v0")
    rp.manage(env, "collectstatic", "--noinput", "-v0")
    return rp.Site(tmp=tmp, env=env, cache_label=cache_label, database_label=database_label)


def newest_article_path(site):
    code = (
        "import django; django.setup()\n"
        "from publishing.models import ArticlePage\n"
        "page = ArticlePage.objects.live().public().order_by('-first_published_at', '-pk').first()\n"
        "print(page.url if page else '')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=rp.ROOT, env=site.env, capture_output=True, text=True, check=True
    )
    url = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    if not url:
        raise SystemExit("the demo content has no live article")
    return rp.local_path(url)


# --- load


def measure(label, url, args, server_pids, wrk):
    """Warm up, then load ``url``; the CPU the server's processes (and their children) used is counted per request."""
    rp.run_wrk(wrk, url, args.connections, args.warm)
    busy = rp.busy_cpu_share()
    if warning := rp.busy_warning(busy):
        print(f"  {warning}")
    cpu_before = [rp.tree_cpu_seconds(pid) for pid in server_pids]
    load = rp.run_wrk(wrk, url, args.connections, args.duration)
    cpu_after = [rp.tree_cpu_seconds(pid) for pid in server_pids]
    load.busy_before = busy
    if None not in cpu_before + cpu_after and load.requests:
        load.server_cpu_ms_per_request = (sum(cpu_after) - sum(cpu_before)) * 1000 / load.requests
    if load.failure:
        print(f"  {label}: FAILED: {load.failure}")
    else:
        shares = "  ".join(f"p{share} {ms:.2f} ms" for share, ms in sorted(load.latency_ms.items()))
        errors = f"  ({load.errors} ERRORS)" if load.errors else ""
        print(f"  {label}: {load.rps:,.0f} req/s ({load.requests:,} in {load.seconds:.1f} s)  {shares}{errors}")
    return load


def check_answer(port, path, *, expect_cache=None, tls=False):
    """One request as wrk sends it: the status, Content-Encoding and (from the app) X-Page-Cache, printed."""
    import http.client
    import ssl

    if tls:
        connection = http.client.HTTPSConnection(
            rp.HOST,
            port,
            timeout=5,
            context=ssl._create_unverified_context(),  # the bench's own certificate
        )
    else:
        connection = http.client.HTTPConnection(rp.HOST, port, timeout=5)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    encoding = response.getheader("Content-Encoding") or "identity"
    cache = response.getheader("X-Page-Cache") or "-"
    print(f"  {path}: status {response.status}, {encoding}, {len(body):,} bytes, X-Page-Cache {cache}", flush=True)
    if response.status != 200 or encoding != "gzip" or (expect_cache and cache != expect_cache):
        print("  WARNING: not the answer this measurement is meant to load; its figures are not comparable")
    return body


# --- nginx


def nginx_main_config(run, server_blocks, workers):
    temp_paths = "".join(f"    {kind}_temp_path {run / kind};\n" for kind in ("client_body", "proxy", "fastcgi"))
    temp_paths += "".join(f"    {kind}_temp_path {run / kind};\n" for kind in ("uwsgi", "scgi"))
    return (
        (f"load_module {BROTLI_MODULE};\n" if BROTLI_MODULE.exists() else "")
        + f"worker_processes {workers};\npid {run / 'nginx.pid'};\nerror_log {run / 'error.log'};\n"
        + "events { worker_connections 1024; }\n"
        + "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        + f"    access_log off;\n{temp_paths}{server_blocks}\n}}\n"
    )


@contextlib.contextmanager
def nginx(run, server_blocks, port, workers):
    """Debian nginx in the foreground with ``server_blocks``; as root its workers run as nobody (nginx's default)."""
    if not Path(NGINX).exists():
        raise FileNotFoundError(f"{NGINX} is missing (apt-get install -y nginx libnginx-mod-http-brotli-static)")
    run.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(run, "nobody", "nogroup")  # its workers write their temporary files here
    conf = run / "nginx.conf"
    conf.write_text(nginx_main_config(run, server_blocks, workers))
    command = [NGINX, "-p", str(run), "-c", str(conf), "-e", str(run / "error.log"), "-g", "daemon off;"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                log = (run / "error.log").read_text() if (run / "error.log").exists() else ""
                raise RuntimeError(f"nginx stopped at start:\n{process.stdout.read().decode()}\n{log}")
            try:
                socket.create_connection((rp.HOST, port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start listening") from None
                time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def static_copy(site, path, page):
    """The article as a static copy: index.html with its twins, and the empty redirect map the server block reads."""
    from mirrors.export.compress import compress_tree

    root = site.tmp / "static-copy"
    target = root / path.strip("/") / "index.html"
    target.parent.mkdir(parents=True)
    target.write_bytes(page)
    (root / "nginx-redirects.map").write_text("")
    compress_tree(root, cache_dir=site.tmp / "static-copy-cache", brotli_quality=11)
    return root


def measure_static_copy(site, path, page, args, wrk, *, tls=None):
    """The static copy over plain HTTP, or with ``tls`` (cert, key) over TLS with the deploy site's own TLS settings:
    the production path's like for like."""
    rp.heading(f"(a{' TLS' if tls else ''}) nginx serving a static copy (gzip_static){' over TLS' if tls else ''}")
    from mirrors import nginx as mirror_nginx

    root = site.tmp / "static-copy"
    if not root.exists():
        static_copy(site, path, page)
    port = rp.free_port()
    listen = f"{rp.HOST}:{port}{' ssl' if tls else ''}"
    block = mirror_nginx.render(root=root, listen=listen, server_name="localhost", brotli=BROTLI_MODULE.exists())
    if tls:
        name_line = "    server_name localhost;\n"
        block = block.replace(name_line, name_line + deploy_tls_lines(*tls), 1)
    label = "(a TLS) static copy over TLS" if tls else "(a) static copy"
    with nginx(site.tmp / f"nginx-static{'-tls' if tls else ''}", block, port, args.nginx_workers) as process:
        check_answer(port, path, expect_cache="-", tls=bool(tls))
        url = f"{'https' if tls else 'http'}://{rp.HOST}:{port}{path}"
        return measure(label, url, args, [process.pid], wrk)


def deploy_tls_lines(cert, key):
    """The ``ssl_*`` lines of deploy/nginx/samizdat.conf, with this run's certificate."""
    lines = [line for line in SITE_TEMPLATE.read_text().splitlines() if line.strip().startswith("ssl_")]
    text = "\n".join(lines).replace("{{tls_cert}}", str(cert)).replace("{{tls_key}}", str(key))
    return text + "\n"


# --- (b) the production path


def production_path_missing():
    if not SITE_TEMPLATE.exists():
        return "deploy/nginx/samizdat.conf missing"
    if not (rp.ROOT / "mirrors" / "management" / "commands" / "publish_tree.py").exists():
        return "manage.py publish_tree missing"
    if not (rp.ROOT / "mirrors" / "management" / "commands" / "nginx_site.py").exists():
        return "manage.py nginx_site missing"
    return ""


def throwaway_certificate(directory):
    directory.mkdir()
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={SERVER_NAME}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    key.chmod(0o644)  # read by nginx's master, which runs as this user
    return cert, key


def production_site_block(site, app_port, http_port, https_port, cert, key):
    """deploy/nginx/samizdat.conf as ``manage.py nginx_site`` fills it for this site."""
    options = {
        "server-name": SERVER_NAME,
        "tls-cert": cert,
        "tls-key": key,
        "tree": site.env["PUBLISHED_TREE_DIR"],
        "static-root": site.env["STATIC_ROOT"],
        "media-root": site.env["MEDIA_ROOT"],
        "upstream": f"{rp.HOST}:{app_port}",
        "http-listen": f"{rp.HOST}:{http_port}",
        "https-listen": f"{rp.HOST}:{https_port}",
        "acme-root": site.tmp / "acme",
    }
    command = [sys.executable, "manage.py", "nginx_site"] + [f"--{name}={value}" for name, value in options.items()]
    result = subprocess.run(command, cwd=rp.ROOT, env=site.env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py nginx_site failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def measure_production_path(site, path, args, wrk, tls):
    rp.heading("(b) the production path: nginx (deploy/nginx/samizdat.conf) + the published tree + gunicorn")
    if missing := production_path_missing():
        print(f"  production path: not available yet ({missing})")
        return Result("(b) production path", note=f"not available yet ({missing})")
    rp.manage(site.env, "publish_tree")
    cert, key = tls
    with rp.gunicorn(site, args) as app:
        http_port, https_port = rp.free_port(), rp.free_port()
        block = production_site_block(site, app.port, http_port, https_port, cert, key)
        with nginx(site.tmp / "nginx-production", block, https_port, args.nginx_workers) as process:
            check_answer(https_port, path, tls=True, expect_cache="-")  # "-": a file of the tree, not the app
            print("  over TLS (HTTP/1.1: wrk does not speak HTTP/2), as readers reach it", flush=True)
            url = f"https://{rp.HOST}:{https_port}{path}"
            load = measure("(b) production path", url, args, [process.pid, app.process.pid], wrk)
    return Result("(b) production path", load)


# --- (c) the app origin alone


ORIGIN_RUNS = {
    "c": ("(c) app origin", {"PAGE_CACHE_FAST_PATH": "1"}),
    "no copies": ("(c) without copies in workers", {"PAGE_CACHE_FAST_PATH": "1", "PAGE_CACHE_LOCAL_PAGES": "0"}),
    "before": ("(before) origin, fast path off", {"PAGE_CACHE_FAST_PATH": "0"}),
}


def measure_origin(site, path, args, wrk, run):
    label, settings_env = ORIGIN_RUNS[run]
    rp.heading(f"{label}: gunicorn {args.workers}x{args.threads} + Redis page cache hits")
    # Alone, the origin is reached over plain HTTP: nothing in front of it to redirect or to terminate TLS.
    origin_env = {**settings_env, "SECURE_SSL_REDIRECT": "0"}
    site = replace(site, env={**site.env, **origin_env})
    rp.flush_redis(args.redis_db)
    with rp.gunicorn(site, args) as server:
        check_answer(server.port, path)  # a miss: renders and stores the page
        check_answer(server.port, path, expect_cache="hit")
        url = f"http://{rp.HOST}:{server.port}{path}"
        return Result(label, measure(label, url, args, [server.process.pid], wrk))


# --- summary


def ratio(top, bottom):
    if not (top and top.load and bottom and bottom.load) or top.load.failure or bottom.load.failure:
        return "n/a"
    return f"{top.load.rps / bottom.load.rps:.2f}" if bottom.load.rps else "n/a"


def print_summary(args, path, results):
    print(
        f"\n== Samizdat production benchmark: {path} ({os.cpu_count()} cores, wrk {args.connections} connections, "
        f"Accept-Encoding: gzip, {args.duration} s each) =="
    )
    print(f"  {'':<32} {'req/s':>9} {'p50':>9} {'p99':>9} {'server CPU/req':>15}")
    for result in results.values():
        load = result.load
        if load is None or load.failure:
            print(f"  {result.label:<32} {result.note or (load.failure if load else 'not measured')}")
            continue
        cpu = f"{load.server_cpu_ms_per_request:.3f} ms" if load.server_cpu_ms_per_request is not None else "-"
        errors = f"  [{load.errors} ERRORS]" if load.errors else ""
        print(
            f"  {result.label:<32} {load.rps:>9,.0f} {load.latency_ms.get(50, float('nan')):>7.2f}ms "
            f"{load.latency_ms.get(99, float('nan')):>7.2f}ms {cpu:>15}{errors}"
        )
    a, b, c = results.get("a"), results.get("b"), results.get("c")
    a_tls = results.get("a TLS")
    print(f"  b/(a TLS) {ratio(b, a_tls)}  (the production path against a static copy, both over TLS)")
    if all(r and r.load and r.load.server_cpu_ms_per_request for r in (a_tls, b)):
        cpu = a_tls.load.server_cpu_ms_per_request / b.load.server_cpu_ms_per_request
        print(f"  the same by server CPU per request (steadier on a shared machine): (a TLS)/b {cpu:.2f}")
    line = f"  b/a {ratio(b, a)}   c/a {ratio(c, a)}"
    if "before" in results:
        line += f"   c/before {ratio(c, results['before'])} (fast path on / off, same run)"
        line += f"   without copies/before {ratio(results['no copies'], results['before'])}"
    print(line)
    shares = [r.load.busy_before for r in results.values() if r.load and r.load.busy_before is not None]
    if warning := rp.busy_warning(max(shares, default=None)):
        print(f"  {warning}")
    print("  (server CPU: nginx's and gunicorn's processes, not wrk's or Redis's; figures printed, never asserted)")


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="samizdat-bench-production-"))
    if os.geteuid() == 0:
        tmp.chmod(0o755)  # nginx's workers (nobody) read the copy and the tree
    try:
        wrk = rp.ensure_wrk()
        if not wrk:
            raise SystemExit("wrk is needed (apt-get install -y wrk)")
        site = prepare(tmp, args)
        path = newest_article_path(site)
        rp.setup_django(site.env)  # for the static copy's compression and the mirrors' server block
        results = {}
        for run in ("c", "no copies", "before") if args.before else ("c",):
            results[run] = measure_origin(site, path, args, wrk, run)
        # The bytes the static copy serves are the origin's own.
        with rp.gunicorn(replace(site, env={**site.env, "SECURE_SSL_REDIRECT": "0"}), args) as server:
            status, _, page = rp.fetch(server.port, path, {"Accept-Encoding": "identity"})
        if status != 200:
            raise SystemExit(f"the origin answered {path} with {status}")
        results["a"] = Result("(a) static copy", measure_static_copy(site, path, page, args, wrk))
        tls = throwaway_certificate(site.tmp / "tls")
        results["a TLS"] = Result(
            "(a TLS) static copy over TLS", measure_static_copy(site, path, page, args, wrk, tls=tls)
        )
        results["b"] = measure_production_path(site, path, args, wrk, tls)
        order = ("a", "a TLS", "b", "c", "no copies", "before")
        print_summary(args, path, {key: results[key] for key in order if key in results})
        print(f"\n(whole run {time.monotonic() - started:.0f} s)")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        rp.flush_redis(args.redis_db)


if __name__ == "__main__":
    main()
