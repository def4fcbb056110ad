"""nginx's access log, as deploy/nginx/samizdat.conf writes it: each request's path, with the secrets of links masked
(a magic link's token, a reminder's link, a pay page's id, a password reset), from every server of the site.

nginx runs the site as ``manage.py nginx_site`` renders it (as nobody when the tests run as root), with an app that
does not answer: the log line is written all the same (a 502)."""

import http.client
import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path

import pytest

from mirrors.nginx.site import BROTLI_MODULE, Site, render_site
from tests.deploy.stack import (
    HOST,
    _accepts,
    nginx_command,
    nginx_main_config,
    prepare_run_dir,
    self_signed_certificate,
    wait_until,
)
from tests.mirrors.test_nginx import free_port

MANAGE = "eyJzIjo0MiwiZSI6ImFiYyIsImwiOiJlbiJ9:1wXyZa:" + "M" * 43
REMIND = "eyJyIjo3LCJsIjoiZW4ifQ:1wXyZb:" + "R" * 43
PAY = "0d9d7a3e-2b1c-4b8e-9f5e-1234567890ab"
RESET_USER, RESET = "NDI", "cw1xyz-" + "p" * 32


@pytest.fixture
def nginx():
    base = Path(tempfile.mkdtemp(prefix="samizdat-access-log-"))
    base.chmod(0o755)
    cert, key = self_signed_certificate(base)
    for name in ("tree", "static", "media", "acme"):
        (base / name).mkdir()
    site = Site(
        server_name=HOST,
        tls_cert=str(cert),
        tls_key=str(key),
        tree=str(base / "tree"),
        static_root=str(base / "static"),
        media_root=str(base / "media"),
        upstream=f"127.0.0.1:{free_port()}",  # nobody listens: every request the app would answer is a 502
        http_listen=f"127.0.0.1:{free_port()}",
        https_listen=f"127.0.0.1:{free_port()}",
        acme_root=str(base / "acme"),
    )
    run = base / "run"
    prepare_run_dir(run)
    conf = run / "nginx.conf"
    brotli = BROTLI_MODULE.exists()
    conf.write_text(nginx_main_config(run, render_site(site, brotli=brotli, hsts=""), brotli=brotli))
    process = subprocess.Popen(nginx_command(run, conf, "-g", "daemon off;"), stderr=subprocess.PIPE)
    ports = int(site.http_listen.rsplit(":", 1)[1]), int(site.https_listen.rsplit(":", 1)[1])
    try:
        wait_until(lambda: all(_accepts(port) for port in ports), "nginx", process=process, log=run / "error.log")
        yield ports, run / "access.log"
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)


def get(port, path, *, tls):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        return connection.getresponse().status
    finally:
        connection.close()


def lines(log):
    return log.read_text().splitlines() if log.exists() else []


def test_the_access_log_masks_the_secrets_of_links_and_keeps_the_rest(nginx):
    (http_port, https_port), log = nginx
    asked = {
        f"/support/manage/{MANAGE}/": "/support/manage/[redacted]/",
        f"/support/manage/{MANAGE}/card/7/prepare/?step=1": "/support/manage/[redacted]/card/7/prepare/?step=1",
        f"/support/remind/confirm/{REMIND}/": "/support/remind/confirm/[redacted]/",
        f"/support/remind/forget/{REMIND}/": "/support/remind/forget/[redacted]/",
        f"/support/pay/{PAY}/card/charge/": "/support/pay/[redacted]/card/charge/",
        f"/admin/password_reset/confirm/{RESET_USER}/{RESET}/": "/admin/password_reset/confirm/[redacted]/[redacted]/",
        "/support/manage/?lang=ru": "/support/manage/?lang=ru",
        "/news/a-story/?utm_source=x": "/news/a-story/?utm_source=x",
    }
    for path in asked:
        assert get(https_port, path, tls=True) == 502
    assert get(http_port, f"/support/manage/{MANAGE}/", tls=False) == 301  # the plain-HTTP server logs the same way

    wait_until(lambda: len(lines(log)) == len(asked) + 1, "the access log")
    text = log.read_text()
    for secret in (MANAGE, REMIND, PAY, RESET_USER, RESET):
        assert secret not in text
    logged = [line.split('"')[1] for line in lines(log)]
    assert logged == [f"GET {masked} HTTP/1.1" for masked in asked.values()] + [
        "GET /support/manage/[redacted]/ HTTP/1.1"
    ]
    assert all('" 502 ' in line for line in lines(log)[: len(asked)])
