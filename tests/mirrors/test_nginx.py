"""Debian nginx serving an export with the server block of docs/operations.md (R1 check 12).

nginx runs as an ordinary process in the foreground, on a free port, with everything it writes in a temporary prefix.
As root it is started as ``nobody``, so these tests also prove the export is readable by an unprivileged server.
"""

import gzip
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import brotli
import pytest

from mirrors import nginx
from mirrors.export.compress import compress_tree
from tests.waiting import EVENT_SECONDS

BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
INSTALL = "scripts/ensure_system.sh nginx (as root), or: sudo apt-get install -y nginx libnginx-mod-http-brotli-static"
PROSE = "".join(f"<p>Paragraph {n} of a story the censor would rather nobody read.</p>\n" for n in range(120))
NEW_PATH = "/news/new-slug/"


def nginx_binary():
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.fail(f"nginx is not installed; the export's serving test needs it. Run {INSTALL}")
    return found


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Nginx:
    """One nginx serving ``root`` with the documented server block, until ``stop()``."""

    def __init__(self, root: Path):
        self.binary = nginx_binary()
        self.base = Path(tempfile.mkdtemp(prefix="samizdat-nginx-"))
        self.port = free_port()
        self.brotli = BROTLI_MODULE.exists()
        self.root = self.base / "export"
        shutil.copytree(root, self.root, symlinks=True)
        run = self.base / "run"
        run.mkdir()
        self.conf = run / "nginx.conf"
        self.conf.write_text(self.main_config(run))
        as_root = os.geteuid() == 0
        if as_root:
            self.base.chmod(0o755)
            shutil.chown(run, "nobody", "nogroup")
        command = [self.binary, "-p", str(run), "-c", str(self.conf), "-e", str(run / "error.log"), "-g", "daemon off;"]
        self.process = subprocess.Popen(
            (["runuser", "-u", "nobody", "--"] if as_root else []) + command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.wait_until_listening(run)

    def main_config(self, run: Path) -> str:
        temp_paths = "\n".join(
            f"    {kind}_temp_path {run / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        return (
            (f"load_module {BROTLI_MODULE};\n" if self.brotli else "")
            + f"worker_processes 1;\npid {run / 'nginx.pid'};\nerror_log {run / 'error.log'};\n"
            + "events { worker_connections 64; }\n"
            + "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            + f"    access_log off;\n{temp_paths}\n"
            + nginx.render(root=self.root, listen=f"127.0.0.1:{self.port}", server_name="localhost", brotli=self.brotli)
            + "}\n"
        )

    def wait_until_listening(self, run: Path):
        deadline = time.monotonic() + EVENT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (run / "error.log").read_text() if (run / "error.log").exists() else ""
                pytest.fail(f"nginx stopped at start:\n{self.process.stdout.read().decode()}\n{log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"nginx did not start listening within {EVENT_SECONDS} s")

    def get(self, path, **headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=EVENT_SECONDS)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.base, ignore_errors=True)


def synthetic_export(root: Path) -> Path:
    """A few files shaped like an export: pages, a stub for a renamed page, the 404 page, the redirect map."""
    (root / "news" / "new-slug").mkdir(parents=True)
    (root / "old-slug").mkdir()
    (root / "static").mkdir()
    (root / "index.html").write_text(f"<!doctype html><title>Home</title>{PROSE}")
    (root / "news" / "new-slug" / "index.html").write_text(f"<!doctype html><title>Story</title>{PROSE}")
    (root / "old-slug" / "index.html").write_text(
        f'<!doctype html><meta http-equiv="refresh" content="0; url={NEW_PATH}"><a href="{NEW_PATH}">Moved</a>'
    )
    (root / "404.html").write_text("<!doctype html><title>Not found</title><p>This page does not exist.</p>")
    (root / "static" / "site.css").write_text("body { margin: 0 }\n" * 200)
    (root / "static" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    (root / "nginx-redirects.map").write_text(nginx.redirect_map({"/old-slug/": NEW_PATH}))
    compress_tree(root, cache_dir=root.parent / "cache")
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = Nginx(synthetic_export(tmp_path_factory.mktemp("nginx") / "export"))
    yield served
    served.stop()


def test_gzip_clients_get_the_gz_twin(server):
    status, headers, body = server.get("/news/new-slug/", **{"Accept-Encoding": "gzip"})

    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert body == (server.root / "news/new-slug/index.html.gz").read_bytes()
    assert gzip.decompress(body) == (server.root / "news/new-slug/index.html").read_bytes()
    assert headers["content-type"].startswith("text/html")
    assert "accept-encoding" in headers["vary"].lower()


def test_identity_clients_get_the_raw_file(server):
    status, headers, body = server.get("/news/new-slug/", **{"Accept-Encoding": "identity"})

    assert status == 200
    assert "content-encoding" not in headers
    assert body == (server.root / "news/new-slug/index.html").read_bytes()
    assert "accept-encoding" in headers["vary"].lower()


def test_brotli_clients_get_the_br_twin(server):
    if not server.brotli:
        pytest.fail(f"libnginx-mod-http-brotli-static is not installed; run {INSTALL}")
    status, headers, body = server.get("/static/site.css", **{"Accept-Encoding": "gzip, deflate, br"})

    assert status == 200
    assert headers["content-encoding"] == "br"
    assert brotli.decompress(body) == (server.root / "static/site.css").read_bytes()


def test_files_without_twins_are_sent_as_they_are(server):
    status, headers, body = server.get("/static/logo.png", **{"Accept-Encoding": "gzip, br"})

    assert status == 200 and "content-encoding" not in headers
    assert headers["content-type"] == "image/png"
    assert body == (server.root / "static/logo.png").read_bytes()


def test_an_old_address_leads_to_the_new_one(server):
    status, headers, _ = server.get("/old-slug/")
    assert status == 301 and headers["location"] == NEW_PATH  # root-relative: right on every mirror host

    assert server.get("/old-slug")[1]["location"] == NEW_PATH
    status, _, body = server.get("/old-slug/index.html")  # hosts without the map serve the stub itself
    assert status == 200 and f'url={NEW_PATH}"'.encode() in body


def test_an_unknown_path_gets_the_404_page(server):
    status, headers, body = server.get("/no/such/page/", **{"Accept-Encoding": "identity"})

    assert status == 404
    assert body == (server.root / "404.html").read_bytes()
    assert headers["content-type"].startswith("text/html")


def test_twins_are_not_served_by_name(server):
    for path in ("/news/new-slug/index.html.gz", "/static/site.css.br"):
        status, _, body = server.get(path, **{"Accept-Encoding": "identity"})
        assert status == 404 and body == (server.root / "404.html").read_bytes()


def test_safety_headers_and_no_version(server):
    _, headers, _ = server.get("/")

    assert headers["server"] == "nginx"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "geolocation=()" in headers["permissions-policy"]
    assert server.get("/no/such/page/")[1]["referrer-policy"] == "no-referrer"


def directives(policy):
    return {part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.django_db
def test_mirror_headers_are_the_origins(server, client):
    """The server block repeats the origin's policies by hand: this keeps the two equal."""
    origin = client.get("/")
    _, mirror, _ = server.get("/")

    assert directives(mirror["content-security-policy"]) == directives(origin["Content-Security-Policy"])
    for header in ("Referrer-Policy", "Permissions-Policy", "X-Content-Type-Options"):
        assert mirror[header.lower()] == origin[header], header


def test_docs_show_the_tested_server_block():
    operations = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()

    assert nginx.TEMPLATE.read_text() in operations


def test_redirect_map_quotes_what_nginx_would_misread():
    text = nginx.redirect_map({"/a b;{c}/": "/news/x/", '/q"/': "https://elsewhere.example/"})

    assert '"/a b;{c}" "/news/x/";\n' in text
    assert '"/a b;{c}/" "/news/x/";\n' in text
    assert re.search(r'^"/q\\"/" "https://elsewhere.example/";$', text, re.M)


# --- the demo newsroom's real export


@pytest.fixture(scope="module")
def demo_server(demo_export):
    served = Nginx(demo_export.root)
    yield served
    served.stop()


def demo_files(server):
    return {entry["path"]: entry for entry in json.loads((server.root / "manifest.json").read_text())["files"]}


def test_demo_pages_are_served_in_every_encoding(demo_server):
    files = demo_files(demo_server)
    article = next(path for path, entry in files.items() if path.startswith("news/") and entry["gz"])
    url = "/" + article.removesuffix("index.html")

    status, headers, body = demo_server.get(url, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert body == (demo_server.root / f"{article}.gz").read_bytes()
    assert "accept-encoding" in headers["vary"].lower()

    status, headers, body = demo_server.get(url, **{"Accept-Encoding": "identity"})
    assert status == 200 and "content-encoding" not in headers
    assert body == (demo_server.root / article).read_bytes()

    if demo_server.brotli and files[article]["br"]:
        status, headers, body = demo_server.get(url, **{"Accept-Encoding": "br, gzip"})
        assert headers["content-encoding"] == "br"
        assert body == (demo_server.root / f"{article}.br").read_bytes()


def test_demo_non_html_files_keep_their_types(demo_server):
    files = demo_files(demo_server)
    for suffix, expected in (
        (".xml", ("application/xml", "text/xml", "application/rss+xml", "application/atom+xml")),
        (".css", ("text/css",)),
        (".png", ("image/png",)),
    ):
        path = next((path for path in files if path.endswith(suffix)), None)
        if path is None:
            continue
        status, headers, _ = demo_server.get("/" + path, **{"Accept-Encoding": "identity"})
        assert status == 200, path
        assert headers["content-type"].split(";")[0] in expected, (path, headers["content-type"])


def test_demo_unknown_path_gets_the_exported_404_page(demo_server):
    status, _, body = demo_server.get("/no/such/story/", **{"Accept-Encoding": "identity"})

    assert status == 404
    assert body == (demo_server.root / "404.html").read_bytes()


def test_demo_redirects_answer_301_to_their_target(demo_server):
    rules = re.findall(r'^"([^"]+)" "([^"]+)";$', (demo_server.root / "nginx-redirects.map").read_text(), re.M)
    assert rules, "the demo has a renamed story, so its export has a redirect"
    for old, new in rules[:4]:
        status, headers, _ = demo_server.get(old)
        assert (status, headers.get("location")) == (301, new), old


def test_text_is_labelled_utf_8(server):
    for path, content_type in (("/", "text/html"), ("/static/site.css", "text/css")):
        assert server.get(path)[1]["content-type"] == f"{content_type}; charset=utf-8"
    assert server.get("/static/logo.png")[1]["content-type"] == "image/png"
