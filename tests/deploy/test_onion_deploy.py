"""The onion service as shipped: the sample torrc (and the one docs/production.md shows) hands the onion only to this
machine, a loopback address or a unix socket, never a remote host; nginx_site renders the onion's server block, which
Debian's nginx accepts, only when there is an onion address; a bad address or a listen off the machine is refused."""

import io
import re
import shutil
import subprocess
import tempfile
from ipaddress import ip_address
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mirrors.nginx.site import Site, render_site
from tests.deploy.stack import (
    BROTLI_MODULE,
    DEPLOY,
    ROOT,
    nginx_command,
    nginx_main_config,
    prepare_run_dir,
    self_signed_certificate,
)
from tests.mirrors.onion import fresh_address

TORRC = DEPLOY / "tor" / "torrc.example"
DOC = ROOT / "docs" / "production.md"
PORT_LINE = re.compile(r"^\s*#?\s*HiddenServicePort\s+(\S+)\s+(\S+)\s*$", re.MULTILINE)


def local_target(target):
    """Whether a HiddenServicePort target stays on this machine: ``unix:/path`` or a loopback address and port."""
    if target.startswith("unix:"):
        return target.startswith("unix:/")
    host, _, port = target.rpartition(":")
    if not port.isdigit() or not host:
        return False  # a bare port would be 127.0.0.1 to tor, but say so
    return ip_address(host.strip("[]")).is_loopback


def test_local_target_knows_a_remote_backend_when_it_sees_one():
    assert local_target("127.0.0.1:8081") and local_target("[::1]:8081") and local_target("unix:/run/x.sock")
    assert not local_target("10.0.0.5:80") and not local_target("203.0.113.4:8081") and not local_target("8081")


@pytest.mark.parametrize("path", [TORRC, DOC], ids=["torrc.example", "production.md"])
def test_the_sample_torrc_hands_the_onion_to_this_machine_only(path):
    text = path.read_text()
    found = PORT_LINE.findall(text)

    assert found, f"{path.name} shows no HiddenServicePort line"
    assert all(virtual == "80" for virtual, _target in found)  # Tor Browser asks for port 80 of an http:// onion
    assert all(local_target(target) for _virtual, target in found), found
    assert re.search(r"^HiddenServiceDir /var/lib/tor/\S+/$", text, re.MULTILINE)


@pytest.fixture
def site():
    base = Path(tempfile.mkdtemp(prefix="samizdat-site-"))
    base.chmod(0o755)
    cert, key = self_signed_certificate(base)
    for name in ("tree", "static", "media", "acme"):
        (base / name).mkdir()
    yield Site(
        server_name="news.example.org",
        tls_cert=str(cert),
        tls_key=str(key),
        tree=str(base / "tree"),
        static_root=str(base / "static"),
        media_root=str(base / "media"),
        http_listen="127.0.0.1:8080",
        https_listen="127.0.0.1:8443",
        acme_root=str(base / "acme"),
        onion=fresh_address(),
        onion_listen="127.0.0.1:8081",
    )
    shutil.rmtree(base, ignore_errors=True)


def nginx_t(site, text):
    run = Path(site.tree).parent / "run"
    prepare_run_dir(run)
    conf = run / "nginx.conf"
    conf.write_text(nginx_main_config(run, text, brotli=BROTLI_MODULE.exists()))
    return subprocess.run(nginx_command(run, conf, "-t"), capture_output=True, text=True, timeout=60)


def server_block(text, listen):
    start = text.index(f"listen {listen}")
    return text[text.rindex("server {", 0, start) : text.index("\n}\n", start)]


def directives(text):
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def test_nginx_accepts_the_site_with_its_onion_server(site):
    text = render_site(site, brotli=BROTLI_MODULE.exists(), hsts="max-age=31536000")
    result = nginx_t(site, text)
    assert result.returncode == 0, result.stderr

    onion = server_block(text, site.onion_listen)
    assert "listen 127.0.0.1:8081;" in onion and "ssl" not in onion
    assert "server_tokens off;" in onion and f"proxy_set_header Host {site.onion};" in onion
    assert "proxy_hide_header Onion-Location;" in onion and "proxy_hide_header Strict-Transport-Security;" in onion
    assert "add_header Onion-Location" not in onion and "Strict-Transport-Security" not in onion.replace(
        "proxy_hide_header Strict-Transport-Security;", ""
    )
    assert "proxy_pass http://samizdat_app;" in onion  # the same app as the clearnet's
    clearnet = server_block(text, f"{site.https_listen} ssl")
    assert clearnet.count("add_header Onion-Location $samizdat_onion_location always;") == 2  # the tree's files
    assert f'"~^text/html" "http://{site.onion}$request_uri";' in text


def test_a_unix_socket_is_accepted_too(site):
    site.onion_listen = f"unix:{Path(site.tree).parent}/run/onion.sock"  # where nginx (nobody) may write
    result = nginx_t(site, render_site(site, brotli=BROTLI_MODULE.exists(), hsts=""))
    assert result.returncode == 0, result.stderr


def test_without_an_onion_address_the_site_has_no_onion_in_it(site):
    site.onion = ""
    text = render_site(site, brotli=BROTLI_MODULE.exists(), hsts="max-age=600")

    assert not re.search(r"onion|8081", directives(text), re.IGNORECASE)
    assert nginx_t(site, text).returncode == 0


def test_the_command_takes_the_onion_from_the_settings_and_refuses_bad_values(settings, tmp_path):
    settings.PUBLISHED_TREE_DIR = str(tmp_path / "tree")
    settings.ONION_ADDRESS = address = fresh_address()
    out = io.StringIO()
    call_command("nginx_site", "--no-brotli", stdout=out)
    assert f"server_name {address};" in out.getvalue() and "listen 127.0.0.1:8081;" in out.getvalue()

    for option, value, message in [
        ("--onion-listen", "0.0.0.0:8081", "loopback"),
        ("--onion-listen", "203.0.113.7:80", "loopback"),
        ("--onion", "news.example.org", "not a v3 onion address"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("nginx_site", f"{option}={value}", stdout=io.StringIO())
