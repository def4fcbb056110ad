"""gunicorn, run with deploy/gunicorn.conf.py, writes no secret of a link in its own lines: its access log (on with
``GUNICORN_ACCESS_LOG=-``) and the error it logs when the application fails, traceback included, both go through the
app's redaction filter (core/log_redaction.py).

The application here is a small one in the site's settings (Django set up, so the filter knows the site's routes):
it answers 400, or fails with the path in its exception, as a view might."""

import http.client
import os
import subprocess
import sys
import textwrap
import uuid

import pytest

from tests.deploy.stack import DEPLOY, ROOT, _accepts, wait_until
from tests.mirrors.test_nginx import free_port

TOKEN = "eyJzIjo0MiwiZSI6ImFiYyIsImwiOiJlbiJ9:1wXyZa:" + "G" * 43
PAY = str(uuid.UUID("0d9d7a3e-2b1c-4b8e-9f5e-1234567890ab"))

APP = textwrap.dedent(
    """
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samizdat.settings")
    django.setup()


    def application(environ, start_response):
        if environ["PATH_INFO"].endswith("/fail/"):
            raise RuntimeError(f"could not answer {environ['PATH_INFO']}")
        start_response("400 Bad Request", [("Content-Type", "text/plain")])
        return [b"no\\n"]
    """
)


@pytest.fixture
def gunicorn(tmp_path):
    (tmp_path / "logged_app.py").write_text(APP)
    port = free_port()
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    env = {
        **os.environ,
        "SAMIZDAT_ENV": "test",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": "-",
        "PYTHONPATH": str(tmp_path),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"), "logged_app:application"]
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr)
    try:
        wait_until(lambda: _accepts(port), "gunicorn", process=process, log=err)
        yield port, out, err
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_gunicorns_access_and_error_lines_carry_no_secret_of_a_link(gunicorn):
    port, out, err = gunicorn

    assert get(port, f"/support/manage/{TOKEN}/?token={TOKEN}") == 400
    assert get(port, f"/support/pay/{PAY}/") == 400
    assert get(port, f"/support/manage/{TOKEN}/fail/") == 500

    wait_until(lambda: out.read_text().count("\n") >= 3 and "RuntimeError" in err.read_text(), "gunicorn's lines")
    access, errors = out.read_text(), err.read_text()
    for secret in (TOKEN, PAY):
        assert secret not in access and secret not in errors
    assert '"GET /support/manage/[redacted]/?token=[redacted] HTTP/1.1" 400' in access
    assert '"GET /support/pay/[redacted]/ HTTP/1.1" 400' in access
    assert "Error handling request GET /support/manage/[redacted]/fail/" in errors
    assert "RuntimeError: could not answer /support/manage/[redacted]/fail/" in errors
