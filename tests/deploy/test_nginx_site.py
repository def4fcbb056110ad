"""deploy/nginx/samizdat.conf as manage.py nginx_site renders it: accepted by Debian's nginx with and without the
brotli module, every placeholder filled, and bad values refused with a message."""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from mirrors.nginx.site import SITE_TEMPLATE, Site, render_site
from tests.deploy.stack import (
    BROTLI_MODULE,
    nginx_command,
    nginx_main_config,
    prepare_run_dir,
    self_signed_certificate,
)


@pytest.fixture
def base():
    """A directory nginx can read when it runs as nobody (pytest's own temporary directories are private)."""
    path = Path(tempfile.mkdtemp(prefix="samizdat-site-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def site(base):
    cert, key = self_signed_certificate(base)
    for name in ("tree", "static", "media", "acme"):
        (base / name).mkdir()
    return Site(
        server_name="news.example.org www.news.example.org",
        tls_cert=str(cert),
        tls_key=str(key),
        tree=str(base / "tree"),
        static_root=str(base / "static"),
        media_root=str(base / "media"),
        upstream="127.0.0.1:8000",
        http_listen="127.0.0.1:8080",
        https_listen="127.0.0.1:8443",
        acme_root=str(base / "acme"),
    )


def nginx_test(directory, text, *, brotli):
    run = directory / "run"
    prepare_run_dir(run)
    conf = run / "nginx.conf"
    conf.write_text(nginx_main_config(run, text, brotli=brotli))
    return subprocess.run(nginx_command(run, conf, "-t"), capture_output=True, text=True, timeout=60)


def test_nginx_accepts_the_site_with_the_brotli_module(site, base):
    if not BROTLI_MODULE.exists():
        pytest.fail(
            "libnginx-mod-http-brotli-static is not installed: apt-get install -y libnginx-mod-http-brotli-static"
        )
    text = render_site(site, brotli=True, hsts="max-age=31536000; includeSubDomains; preload")

    assert text.count("brotli_static on;") == 3  # the tree, the transparency page (from the tree) and /static/
    result = nginx_test(base, text, brotli=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_nginx_accepts_the_site_without_the_brotli_module(site, base):
    text = render_site(site, brotli=False, hsts="max-age=31536000")

    assert not any(line.strip().startswith("brotli_static") for line in text.splitlines())
    result = nginx_test(base, text, brotli=False)
    assert result.returncode == 0, result.stderr
    # and the brotli lines are what would break it there
    kept = nginx_test(base, render_site(site, brotli=True, hsts=""), brotli=False)
    assert kept.returncode != 0 and "brotli_static" in kept.stderr


def test_a_tree_with_headers_and_languages_is_accepted_too(site, base):
    tree = base / "tree"
    (tree / "headers.conf").write_text('add_header X-Served-By "tree" always;\n')
    (tree / "languages.map").write_text('"/ru/" "ru";\n"/ru/index.html" "ru";\n')

    result = nginx_test(base, render_site(site, brotli=BROTLI_MODULE.exists()), brotli=BROTLI_MODULE.exists())
    assert result.returncode == 0, result.stderr


def test_every_placeholder_is_filled_and_hsts_follows_its_setting(site):
    assert "{{" in SITE_TEMPLATE.read_text()
    text = render_site(site, brotli=True, hsts="max-age=600")

    assert "{{" not in text and "}}" not in text
    assert 'add_header Strict-Transport-Security "max-age=600" always;' in text
    assert f"root {site.tree}/pages;" in text and f"include {site.tree}/headers*.conf;" in text
    assert 'Strict-Transport-Security "' not in render_site(site, brotli=True, hsts="")
    # the app's own HSTS is dropped either way, so a response never carries two
    assert "proxy_hide_header Strict-Transport-Security;" in render_site(site, brotli=True, hsts="")


@override_settings(SECURE_HSTS_SECONDS=3600, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=False)
def test_the_command_takes_its_defaults_from_the_settings(settings, tmp_path):
    settings.PUBLISHED_TREE_DIR = str(tmp_path / "tree")
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CANONICAL_URL = "https://news.example.org"
    out = io.StringIO()
    call_command("nginx_site", "--no-brotli", stdout=out)
    text = out.getvalue()

    assert "server_name news.example.org;" in text
    assert "ssl_certificate /etc/letsencrypt/live/news.example.org/fullchain.pem;" in text
    assert f"alias {tmp_path / 'static'}/;" in text and f"alias {tmp_path / 'media'}/images/;" in text
    assert f"root {tmp_path / 'tree'}/pages;" in text
    assert 'Strict-Transport-Security "max-age=3600; includeSubDomains" always;' in text
    assert "server 127.0.0.1:8000;" in text
    assert not any(line.strip().startswith("brotli_static") for line in text.splitlines())


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--upstream", "127.0.0.1:8000; include /etc/passwd", "contains"),
        ("--server-name", "a{b", "contains"),
        ("--tls-cert", "relative/cert.pem", "must be an absolute path"),
        ("--tree", "/srv/tree with space", "contains"),
        ("--https-listen", " ", "is empty"),
    ],
)
def test_bad_values_are_refused_with_a_message(settings, option, value, message):
    settings.PUBLISHED_TREE_DIR = "/srv/samizdat/tree"
    with pytest.raises(CommandError, match=message) as raised:
        call_command("nginx_site", f"{option}={value}", stdout=io.StringIO())
    assert option in str(raised.value)


def test_without_a_tree_the_command_says_what_to_set(settings):
    settings.PUBLISHED_TREE_DIR = ""
    with pytest.raises(CommandError, match="PUBLISHED_TREE_DIR"):
        call_command("nginx_site", stdout=io.StringIO())
