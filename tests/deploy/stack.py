"""The deploy as shipped, started for real: PostgreSQL, Redis, gunicorn, the task worker and nginx in front.

``Stack`` builds the environment from ``deploy/samizdat.env.example`` (what an operator copies) with only what a run
must make its own: a fresh PostgreSQL database, a Redis database number nobody else holds, temporary directories for
static files, media and the published tree, free ports, a throw-away secret and signing key, and an SMTP server
(aiosmtpd) that keeps what it receives. Then, in that environment and from this checkout, it runs what
docs/production.md runs: ``migrate``, ``load_demo``, ``collectstatic``, ``publish_tree``; gunicorn and the worker
with the ``ExecStart`` lines of ``deploy/systemd/``; nginx with the site ``manage.py nginx_site`` renders, TLS with a
self-signed certificate, on free ports (as ``nobody`` when the tests run as root, like tests/mirrors/test_nginx.py).
Every wait is on an event (a socket accepting, an HTTP 200, a mail arriving), never a fixed sleep.

Use the ``stack`` fixture (tests/deploy/conftest.py, one stack per test module), or ``Stack(...)`` as a context
manager::

    stack.get("/", source="127.0.0.2")         # over TLS through nginx, from that client address
    stack.post("/support/remind/", {...})     # a form, the same way
    stack.manage("publish_tree")              # a management command in the deploy's environment
    stack.publish()                           # the published tree's full rebuild
    stack.wait_for_mail(3)                    # the mails the app sent, once there are that many
"""

import base64
import datetime
import email
import http.client
import ipaddress
import os
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.mirrors.test_nginx import BROTLI_MODULE, free_port, nginx_binary
from tests.services import postgres_admin_url

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "samizdat.env.example"
SHIPPED_APP_DIR = "/srv/samizdat/app"  # where the units expect the checkout; replaced by this one
HOST = "localhost"


REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DBS = range(10, 16)  # the stack claims one of these (a key in it says whose it is)
CLAIM_KEY = "samizdat-deploy-stack:claimed"
WAIT_SECONDS = 60
DEBIAN_ACCESS_LOG = "/var/log/nginx/access.log"  # where deploy/nginx/samizdat.conf logs requests


# --- files an operator reads


def env_file_values(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """The variables an env file sets (``NAME=value`` lines; comments and blank lines skipped), as systemd reads them:
    a value wrapped in one pair of single or double quotes loses them."""
    values = {}
    for line in path.read_text().splitlines():
        text = line.strip()
        if not text or text.startswith("#") or "=" not in text:
            continue
        name, _, value = text.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def unit_exec_start(unit: str) -> list[str]:
    """The ``ExecStart`` command of ``deploy/systemd/<unit>``, pointed at this checkout."""
    for line in (DEPLOY / "systemd" / unit).read_text().splitlines():
        if line.startswith("ExecStart="):
            return [word.replace(SHIPPED_APP_DIR, str(ROOT)) for word in shlex.split(line.removeprefix("ExecStart="))]
    raise AssertionError(f"{unit} has no ExecStart")


def unit_working_directory(unit: str) -> Path:
    for line in (DEPLOY / "systemd" / unit).read_text().splitlines():
        if line.startswith("WorkingDirectory="):
            return Path(line.removeprefix("WorkingDirectory=").replace(SHIPPED_APP_DIR, str(ROOT)))
    raise AssertionError(f"{unit} has no WorkingDirectory")


# --- TLS


def self_signed_certificate(directory: Path, host: str = HOST) -> tuple[Path, Path]:
    """A certificate for ``host`` and 127.0.0.1 with its key, written as PEM files readable by anyone (tests only)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(host), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    for path in (cert_path, key_path):
        path.chmod(0o644)
    return cert_path, key_path


# --- nginx


def nginx_main_config(run: Path, site: str, *, brotli: bool) -> str:
    """An nginx.conf around ``site`` (the http {} part), everything it writes under ``run``, as Debian's main file
    would load it (the brotli module only where it is installed and wanted). The site's access log, Debian's file
    (which an nginx run as nobody cannot open), is ``run/access.log``."""
    site = site.replace(f"access_log {DEBIAN_ACCESS_LOG} ", f"access_log {run / 'access.log'} ")
    temp_paths = "\n".join(
        f"    {kind}_temp_path {run / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        (f"load_module {BROTLI_MODULE};\n" if brotli else "")
        + f"worker_processes 1;\npid {run / 'nginx.pid'};\nerror_log {run / 'error.log'};\n"
        + "events { worker_connections 256; }\n"
        + "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        + f"    access_log off;\n{temp_paths}\n"
        + site
        + "}\n"
    )


def nginx_command(run: Path, conf: Path, *extra: str) -> list[str]:
    """nginx with ``conf``; as ``nobody`` when we are root (so the test also proves an unprivileged server can read)."""
    command = [nginx_binary(), "-p", str(run), "-c", str(conf), "-e", str(run / "error.log"), *extra]
    return (["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []) + command


def prepare_run_dir(run: Path) -> None:
    run.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(run, "nobody", "nogroup")


# --- mail


class _Mailbox:
    def __init__(self):
        self.messages = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        with self.changed:
            self.messages.append(email.message_from_bytes(envelope.content))
            self.changed.notify_all()
        return "250 OK"


# --- readiness


def wait_until(condition, what: str, *, process: subprocess.Popen | None = None, log: Path | None = None):
    """Poll ``condition`` until it holds; fail at once if ``process`` ended, or after WAIT_SECONDS, showing ``log``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process ended ({process.returncode}).\n{_tail(log)}")
        try:
            if condition():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not ready after {WAIT_SECONDS} s.\n{_tail(log)}")
        time.sleep(0.05)


def _tail(log: Path | None) -> str:
    if log is None or not log.exists():
        return ""
    return log.read_text(errors="replace")[-4000:]


def _accepts(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True


@dataclass
class Response:
    status: int
    header_list: list[tuple[str, str]]
    body: bytes

    def header(self, name: str, default=None):
        values = self.headers_named(name)
        return values[0] if values else default

    def headers_named(self, name: str) -> list[str]:
        return [value for key, value in self.header_list if key.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Stack:
    """One running deploy. ``extra_env`` adds to (or overrides) the env file's values for the app."""

    extra_env: dict[str, str] = field(default_factory=dict)
    brotli: bool = field(default_factory=BROTLI_MODULE.exists)

    def __post_init__(self):
        self.processes: dict[str, subprocess.Popen] = {}
        self.base = Path(tempfile.mkdtemp(prefix="samizdat-stack-"))
        self.base.chmod(0o755)
        self.database = f"samizdat_b_{uuid.uuid4().hex[:10]}"
        self.redis_db = None
        self.mailbox = _Mailbox()
        self.smtp = None

    # --- start and stop

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self._make_database()
        self._claim_redis_db()
        self._start_smtp()
        self.env = self._environment()
        self.logs = self.base / "logs"
        self.logs.mkdir()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_demo", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.publish()
        self._start_gunicorn()
        self._start_worker()
        self._start_nginx()

    def stop(self):
        for name in reversed(list(self.processes)):
            process = self.processes.pop(name)
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self.smtp is not None:
            self.smtp.stop()
            self.smtp = None
        if self.redis_db is not None:
            client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=self.redis_db)
            client.flushdb()
            client.close()
            self.redis_db = None
        with psycopg.connect(postgres_admin_url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        shutil.rmtree(self.base, ignore_errors=True)

    # --- the pieces

    def _make_database(self):
        with psycopg.connect(postgres_admin_url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')
        admin = urllib.parse.urlsplit(postgres_admin_url())
        self.database_url = urllib.parse.urlunsplit(admin._replace(path=f"/{self.database}"))

    def _claim_redis_db(self):
        for number in REDIS_DBS:
            client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
            try:
                if client.dbsize() == 0 and client.set(CLAIM_KEY, self.database, nx=True, ex=3600):
                    self.redis_db = number
                    return
            finally:
                client.close()
        raise RuntimeError(
            f"No free Redis database among {list(REDIS_DBS)} (each holds keys or another stack's claim)."
        )

    def _start_smtp(self):
        self.smtp_port = free_port()
        self.smtp = Controller(self.mailbox, hostname="127.0.0.1", port=self.smtp_port)
        self.smtp.start()

    def _environment(self) -> dict[str, str]:
        for name in ("static", "media", "tree", "acme", "tls"):
            (self.base / name).mkdir()
        (self.base / "signing.key").write_text(base64.b64encode(os.urandom(32)).decode())  # a throw-away key
        self.app_port, self.http_port, self.https_port = free_port(), free_port(), free_port()
        self.onion_port = free_port()  # nginx's onion server, when ONION_ADDRESS is set (tor would hand it requests)
        shipped = env_file_values()
        own = {
            "SECRET_KEY": "stack-" + uuid.uuid4().hex + uuid.uuid4().hex,
            "CANONICAL_URL": f"https://{HOST}",
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": self.database_url,
            "CACHE_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{self.redis_db}",
            "STATIC_ROOT": str(self.base / "static"),
            "MEDIA_ROOT": str(self.base / "media"),
            "PUBLISHED_TREE_DIR": str(self.base / "tree"),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "MIRROR_SIGNING_KEY_FILE": str(self.base / "signing.key"),
            "GUNICORN_BIND": f"127.0.0.1:{self.app_port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "2",
        }
        missing = {name for name, value in shipped.items() if "CHANGE-ME" in value} - set(own)
        assert not missing, f"the env file asks for values the stack does not fill: {sorted(missing)}"
        system = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TZ") if name in os.environ}
        return {**system, **shipped, **own, **self.extra_env, "PYTHONUNBUFFERED": "1"}

    def _spawn(self, name: str, command: list[str], cwd: Path = ROOT) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(command, cwd=cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        return self.processes[name]

    def _start_gunicorn(self):
        command = unit_exec_start("samizdat-web.service")
        process = self._spawn("gunicorn", command, cwd=unit_working_directory("samizdat-web.service"))

        def answers():
            connection = http.client.HTTPConnection("127.0.0.1", self.app_port, timeout=2)
            try:
                connection.request("GET", "/robots.txt", headers={"Host": HOST, "X-Forwarded-Proto": "https"})
                return connection.getresponse().status == 200
            finally:
                connection.close()

        wait_until(answers, "gunicorn", process=process, log=self.logs / "gunicorn.log")

    def _start_worker(self):
        command = unit_exec_start("samizdat-worker.service")
        process = self._spawn("worker", command, cwd=unit_working_directory("samizdat-worker.service"))
        if process.poll() is not None:
            raise RuntimeError(f"the task worker ended at once.\n{_tail(self.logs / 'worker.log')}")

    def _start_nginx(self):
        self.cert, self.key = self_signed_certificate(self.base / "tls")
        self.site = self.manage(
            "nginx_site",
            f"--server-name={HOST}",
            f"--tls-cert={self.cert}",
            f"--tls-key={self.key}",
            f"--upstream=127.0.0.1:{self.app_port}",
            f"--http-listen=127.0.0.1:{self.http_port}",
            f"--https-listen=127.0.0.1:{self.https_port}",
            f"--onion-listen=127.0.0.1:{self.onion_port}",
            f"--acme-root={self.base / 'acme'}",
            "--brotli" if self.brotli else "--no-brotli",
        )
        run = self.base / "nginx"
        prepare_run_dir(run)
        conf = run / "nginx.conf"
        conf.write_text(nginx_main_config(run, self.site, brotli=self.brotli))
        self.nginx_conf = conf
        process = self._spawn("nginx", nginx_command(run, conf, "-g", "daemon off;"))
        wait_until(
            lambda: _accepts(self.https_port) and _accepts(self.http_port),
            "nginx",
            process=process,
            log=run / "error.log",
        )

    # --- using it

    def manage(self, *args: str, check: bool = True) -> str:
        """Run ``manage.py`` with ``args`` in the deploy's environment; its standard output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
        return result.stdout

    def publish(self, *args: str) -> str:
        """``manage.py publish_tree`` (a full rebuild without arguments)."""
        return self.manage("publish_tree", *args)

    @property
    def tree_pages(self) -> Path:
        return self.base / "tree" / "pages"

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def request(
        self,
        method: str,
        path: str,
        *,
        source: str = "127.0.0.2",
        body: bytes | None = None,
        tls: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """One request to nginx from the client address ``source`` (any 127/8 address works on the loopback)."""
        if tls:
            connection = http.client.HTTPSConnection(
                "127.0.0.1", self.https_port, timeout=30, source_address=(source, 0), context=self.tls_context()
            )
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30, source_address=(source, 0))
        try:
            connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
            response = connection.getresponse()
            return Response(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def get(self, path: str, *, source: str = "127.0.0.2", **options) -> Response:
        return self.request("GET", path, source=source, **options)

    def post(self, path: str, fields: dict[str, str], *, source: str = "127.0.0.2", headers=None, **options):
        body = urllib.parse.urlencode(fields).encode()
        form = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("POST", path, source=source, body=body, headers=form, **options)

    def wait_for_mail(self, count: int, seconds: float = WAIT_SECONDS) -> list:
        """The mails received, once there are at least ``count`` (the worker sends them after commit)."""
        with self.mailbox.changed:
            if not self.mailbox.changed.wait_for(lambda: len(self.mailbox.messages) >= count, timeout=seconds):
                raise AssertionError(
                    f"{len(self.mailbox.messages)} mails after {seconds} s, expected {count}.\n"
                    f"{_tail(self.logs / 'worker.log')}"
                )
            return list(self.mailbox.messages)

    def alive(self) -> dict[str, int | None]:
        """Each process's exit code (None: still running)."""
        return {name: process.poll() for name, process in self.processes.items()}
