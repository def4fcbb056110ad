"""The onion service without Tor (REACH.md R3.4), through Django's test client and the WSGI application: the address
check, Onion-Location on clearnet HTTPS pages only, the onion host answered with the same bytes and no redirect, HSTS
or Onion-Location, feeds that keep an onion reader on the onion, cookies and CSRF there, identity encoding on every
reading URL, and nothing of it while ``ONION_ADDRESS`` is empty."""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.checks import run_checks
from django.test import Client, RequestFactory

from mirrors.export.scan import HostRules, scan_html
from samizdat.wsgi import application
from tests.mirrors.onion import canonical_host, fresh_address, no_onion, onion, public_key, v3_address

__all__ = ["no_onion", "onion"]  # fixtures

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def clearnet(settings, **extra):
    return Client(HTTP_HOST=canonical_host(settings), **extra)


def by_onion(address, **extra):
    """A reader of the onion: Tor hands the request to nginx on this machine, which passes it on from 127.0.0.1."""
    return Client(HTTP_HOST=address, REMOTE_ADDR="127.0.0.1", **extra)


def wsgi_get(host, path, *, secure, query="", accept_encoding="gzip"):
    """A GET through ``samizdat.wsgi.application`` (the page cache's fast path around Django): status, headers, body."""
    environ = (
        RequestFactory()
        .generic(
            "GET",
            path + (f"?{query}" if query else ""),
            secure=secure,
            HTTP_HOST=host,
            HTTP_ACCEPT_ENCODING=accept_encoding,
        )
        .environ
    )
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    chunks = application(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return seen["status"], seen["headers"], body


def e001(address, settings):
    settings.ONION_ADDRESS = address
    return [message for message in run_checks() if message.id == "mirrors.E001"]


def manage_py(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "SAMIZDAT_ENV": "test", "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- 1. The address check


def _typo(address):
    label = address.removesuffix(".onion")
    return ("b" if label[0] == "a" else "a") + label[1:] + ".onion"


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (_typo, "checksum"),
        (lambda address: address.removesuffix(".onion")[:-1] + ".onion", "56 characters"),
        (lambda address: address + "x", "end in .onion"),
        (lambda address: address.removesuffix(".onion") + ".onion.example", "end in .onion"),
        (lambda address: f"http://{address}/", "host alone"),
        (lambda address: "0" * 56 + ".onion", "base32"),
        (lambda _address: v3_address(public_key(), version=2), "version"),
    ],
)
def test_a_bad_address_fails_the_check_and_says_why(settings, make, why):
    errors = e001(make(fresh_address()), settings)

    assert len(errors) == 1 and why in errors[0].msg


def test_an_address_made_from_a_fresh_key_passes_and_none_is_no_error(settings):
    assert e001(fresh_address(), settings) == []
    assert e001("", settings) == []


def test_manage_py_check_fails_with_mirrors_e001_and_passes_for_a_real_address():
    bad = manage_py("check", ONION_ADDRESS=_typo(fresh_address()))
    assert bad.returncode != 0 and "mirrors.E001" in bad.stderr

    good = manage_py("check", ONION_ADDRESS=fresh_address())
    assert good.returncode == 0, good.stderr


def test_the_settings_serve_the_onion_host_and_trust_its_origin_and_only_then():
    address = fresh_address()
    script = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.ONION_ADDRESS, s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.INTERNAL_IPS, s.DEBUG]))"
    )
    production = {"SAMIZDAT_ENV": "production", "SECRET_KEY": "x" * 50}
    found = manage_py("shell", "--no-imports", "-c", script, ONION_ADDRESS=f" {address.upper()} ", **production)
    assert found.returncode == 0, found.stderr
    onion_address, hosts, origins, internal_ips, debug = json.loads(found.stdout)
    assert onion_address == address  # written as tor's hostname file has it, whatever the case and spaces
    assert address in hosts and f"http://{address}" in origins
    assert internal_ips == [] and debug is False  # onion requests come from 127.0.0.1: it must not unlock anything

    without = manage_py("shell", "--no-imports", "-c", script, **production)
    assert without.returncode == 0, without.stderr
    onion_address, hosts, origins, _ips, _debug = json.loads(without.stdout)
    assert onion_address == "" and not any(".onion" in value for value in hosts + origins)


# --- 2. Onion-Location on the clearnet


def test_an_https_page_names_its_own_path_and_query_on_the_onion(onion, article, settings):
    client = clearnet(settings)
    first = client.get(f"{article.url}?a=1", secure=True)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    assert first["Onion-Location"] == f"http://{onion}{article.url}?a=1"

    # the page cache keeps one copy for every query: each answer still names its own
    again = client.get(f"{article.url}?utm=x&b=%C3%A9", secure=True)
    assert again["X-Page-Cache"] == "hit"
    assert again["Onion-Location"] == f"http://{onion}{article.url}?utm=x&b=%C3%A9"

    status, headers, _body = wsgi_get(canonical_host(settings), article.url, secure=True, query="a=1")
    assert status.startswith("200") and headers["X-Page-Cache"] == "hit"
    assert headers["Onion-Location"] == f"http://{onion}{article.url}?a=1"

    # pages the app renders every time carry it too (here the checkout's form)
    checkout = client.get("/support/?frequency=once", secure=True)
    assert checkout["Onion-Location"] == f"http://{onion}/support/?frequency=once"


def test_no_onion_location_on_other_types_plain_http_or_the_editors_side(onion, article, settings):
    client = clearnet(settings)
    for path in ("/feed.xml", "/sitemap.xml", "/robots.txt", "/support/goal.json", "/static/css/site.css"):
        response = client.get(path, secure=True)
        assert response.status_code == 200, path
        assert "Onion-Location" not in response, path
    assert "Onion-Location" not in client.get("/admin/login/", secure=True)

    plain = client.get(article.url)  # a browser ignores it there, and a censor could rewrite it
    assert plain.status_code == 200 and "Onion-Location" not in plain


# --- 3. The onion host


READING_PATHS = ("/", "/topics/", "/support/transparency/")


@pytest.mark.parametrize("path", READING_PATHS)
def test_the_onion_gets_the_very_bytes_of_the_canonical_host(onion, settings, path):
    settings.SECURE_SSL_REDIRECT = True  # production
    settings.SECURE_HSTS_SECONDS = 3600
    canonical = clearnet(settings).get(path, secure=True)
    assert canonical.status_code == 200 and "Strict-Transport-Security" in canonical

    for answer in (by_onion(onion).get(path), by_onion(onion).get(path)):  # a miss, then a hit of its own
        assert answer.status_code == 200
        assert not {"Location", "Onion-Location", "Strict-Transport-Security"} & set(answer.headers)
        assert answer.content == canonical.content
    status, headers, body = wsgi_get(onion, path, secure=False, accept_encoding="identity")
    assert status.startswith("200") and headers["X-Page-Cache"] == "hit"
    assert not {"Location", "Onion-Location", "Strict-Transport-Security"} & set(headers)
    assert body == canonical.content


def test_an_onion_article_is_not_redirected_and_names_no_host_but_in_canonical_links(onion, article, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    assert clearnet(settings).get(article.url).status_code == 301  # plain HTTP on the clearnet still goes to HTTPS
    canonical = clearnet(settings).get(article.url, secure=True)

    answer = by_onion(onion).get(article.url)
    assert answer.status_code == 200 and answer.content == canonical.content
    references, problems = scan_html(answer.content.decode(), article.url, HostRules(settings.CANONICAL_URL))
    assert problems == []  # the canonical host only in canonical/alternate links, OpenGraph and JSON-LD
    assert canonical_host(settings) in answer.content.decode()  # …where it is, the canonical link above all
    assert all(reference.startswith("/") for reference in references)

    # Should the onion ever get a certificate, it still gets no HSTS (tor, not TLS, is what protects the way).
    assert "Strict-Transport-Security" not in by_onion(onion).get(article.url, secure=True)


def _feed_links(body):
    root = ET.fromstring(body)
    links = [root.findtext("channel/link")] + [item.findtext("link") for item in root.iter("item")]
    links += [item.findtext("guid") for item in root.iter("item")]
    return links


def test_a_feed_asked_for_by_the_onion_links_to_the_onion(onion, settings):
    canonical = clearnet(settings).get("/feed.xml", secure=True)
    onion_feed = by_onion(onion).get("/feed.xml")
    canonical_again = clearnet(settings).get("/feed.xml", secure=True)  # each host's copy in the page cache is its own

    assert len(_feed_links(onion_feed.content)) > 3
    assert all(link.startswith(f"http://{onion}/") for link in _feed_links(onion_feed.content))
    assert all(link.startswith(settings.CANONICAL_URL + "/") for link in _feed_links(canonical.content))
    assert canonical_again.content == canonical.content
    content = " ".join(element.text or "" for element in ET.fromstring(onion_feed.content).iter())
    assert 'src="/' not in content and settings.CANONICAL_URL not in content  # the stories' images too


# --- 5. Cookies and CSRF


def _csrf_cookie_is_secure(response):
    return bool(response.cookies["csrftoken"]["secure"])


def test_cookies_are_secure_on_the_clearnet_only_and_a_login_by_the_onion_passes_csrf(onion, settings):
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = True  # production
    assert _csrf_cookie_is_secure(clearnet(settings).get("/admin/login/", secure=True))

    client = by_onion(onion, enforce_csrf_checks=True)
    login = client.get("/admin/login/")
    assert login.status_code == 200 and not _csrf_cookie_is_secure(login)
    token = BeautifulSoup(login.content, "html.parser").select_one("input[name=csrfmiddlewaretoken]")["value"]

    forged = by_onion(onion, enforce_csrf_checks=True)
    forged.cookies = client.cookies
    refused = forged.post(
        "/admin/login/",
        {"csrfmiddlewaretoken": token, "username": "revenue", "password": "samizdat-demo"},
        HTTP_ORIGIN=f"http://{fresh_address()}",
    )
    assert refused.status_code == 403  # another onion's form

    signed_in = client.post(
        "/admin/login/",
        {"csrfmiddlewaretoken": token, "username": "revenue", "password": "samizdat-demo"},
        HTTP_ORIGIN=f"http://{onion}",
    )
    assert signed_in.status_code == 302 and "Location" in signed_in
    assert not signed_in.cookies["sessionid"]["secure"]
    assert client.get("/admin/").status_code == 200


def test_checkout_and_self_service_set_no_cookie_on_either_host(onion, settings):
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = True
    for client, secure in ((clearnet(settings), True), (by_onion(onion), False)):
        for path in ("/support/?frequency=monthly", "/support/manage/", "/support/remind/"):
            response = client.get(path, secure=secure)
            assert response.status_code == 200, path
            assert not response.cookies and "Set-Cookie" not in response, path


# --- 6. Localhost trust: no debug output


def test_the_onion_from_localhost_gets_the_sites_own_404(onion):
    response = by_onion(onion).get("/no-such-page/")

    assert response.status_code == 404
    text = response.content.decode()
    assert "We could not find that page" in text and "URLconf" not in text and "Traceback" not in text


# --- 7. Identity encoding


@pytest.fixture
def reading_urls(article):
    section = article.get_parent().specific.url
    return [
        "/",
        section,
        article.url,
        "/topics/",
        "/feed.xml",
        "/atom.xml",
        "/sitemap.xml",
        "/robots.txt",
        "/support/goal.json",
        "/support/transparency/",
        "/static/css/site.css",
    ]


def test_identity_encoding_is_honoured_on_every_reading_url_and_host(onion, settings, reading_urls):
    compressed = clearnet(settings).get("/", secure=True, HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip"  # so compressed copies exist and are sent when asked for

    for path in reading_urls:
        for client, secure, host in (
            (clearnet(settings), True, canonical_host(settings)),
            (by_onion(onion), False, onion),
        ):
            for _round in ("miss", "hit"):
                response = client.get(path, secure=secure, HTTP_ACCEPT_ENCODING="identity")
                assert response.status_code == 200, path
                assert "Content-Encoding" not in response, (path, host)
            _status, headers, body = wsgi_get(host, path, secure=secure, accept_encoding="identity")
            assert "Content-Encoding" not in headers and not body.startswith(b"\x1f\x8b"), (path, host)


# --- Without an onion: nothing changes


def test_without_an_onion_address_nothing_of_it_happens(no_onion, article, settings):
    settings.SECURE_SSL_REDIRECT = True
    client = clearnet(settings)
    page = client.get(article.url, secure=True)
    assert page.status_code == 200 and "Onion-Location" not in page
    assert client.get(article.url).status_code == 301
    assert all(
        link.startswith(settings.CANONICAL_URL) for link in _feed_links(client.get("/feed.xml", secure=True).content)
    )
    # a host named like an onion is just a host the site does not serve
    assert Client(HTTP_HOST=fresh_address(), REMOTE_ADDR="127.0.0.1").get("/").status_code == 400
