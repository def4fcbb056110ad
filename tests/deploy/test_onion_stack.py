"""The onion service on the deploy as shipped, without Tor: nginx's onion server (where tor would hand it requests)
answers with the clearnet's bytes over plain HTTP, with no HSTS, no Onion-Location and no nginx version, whatever Host
a local client writes; the clearnet's HTTPS pages, from the published tree and from the app alike, send one
Onion-Location with their own path and query, other types none; a reminder asked for by the onion is mailed with
onion links by the task worker; files come compressed only when asked for."""

import email
import email.policy
import http.client
import re

import pytest

from tests.deploy.stack import HOST
from tests.mirrors.onion import fresh_address
from tests.support.conftest import links_in

ONION = fresh_address()


@pytest.fixture(scope="module")
def stack_env():
    return {"ONION_ADDRESS": ONION}


def by_onion(stack, method, path, *, host=ONION, body=None, headers=None):
    """A request to nginx's onion server, as tor makes it: plain HTTP on the loopback, the onion's Host."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.onion_port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_the_onion_gets_the_clearnet_bytes_without_hsts_onion_location_or_a_version(stack):
    clearnet = stack.get("/", headers={"Accept-Encoding": "identity"})
    assert clearnet.status == 200 and clearnet.header("Strict-Transport-Security")

    for host in (ONION, HOST):  # whatever Host a local client writes, this server is the onion's
        for _round in ("miss", "hit"):
            status, headers, body = by_onion(stack, "GET", "/", host=host, headers={"Accept-Encoding": "identity"})
            assert status == 200
            assert not {"strict-transport-security", "onion-location", "location"} & set(headers)
            assert headers["server"] == "nginx" and "x-powered-by" not in headers
            assert body == clearnet.body


def test_clearnet_https_pages_send_one_onion_location_with_their_path_and_query(stack):
    tree_page = stack.get("/?utm=1")  # a file of the published tree, sent by nginx
    assert tree_page.status == 200 and tree_page.headers_named("Onion-Location") == [f"http://{ONION}/?utm=1"]
    app_page = stack.get("/support/?frequency=once")  # always the app's
    assert app_page.status == 200
    assert app_page.headers_named("Onion-Location") == [f"http://{ONION}/support/?frequency=once"]
    for path in ("/feed.xml", "/static/css/site.css", "/support/goal.json"):
        assert stack.get(path).headers_named("Onion-Location") == [], path
    assert stack.get("/", tls=False).status == 301  # plain HTTP on the clearnet still goes to HTTPS


def test_a_reminder_asked_for_by_the_onion_is_mailed_with_onion_links(stack):
    before = len(stack.mailbox.messages)
    status, _headers, body = by_onion(
        stack,
        "POST",
        "/support/remind/",
        body=b"email=onion.stack.reader%40example.org&when=week",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200, body[-500:]
    (message,) = [mail for mail in stack.wait_for_mail(before + 1) if mail["To"] == "onion.stack.reader@example.org"]
    links = links_in(email.message_from_bytes(message.as_bytes(), policy=email.policy.default))
    assert links and all(link.startswith(f"http://{ONION}/support/remind/") for link in links)


def test_files_on_the_onion_are_compressed_only_when_asked_for(stack):
    _status, plain, body = by_onion(stack, "GET", "/static/css/site.css", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain and re.search(rb"[{}]", body)
    _status, packed, _body = by_onion(stack, "GET", "/static/css/site.css", headers={"Accept-Encoding": "gzip"})
    assert packed.get("content-encoding") == "gzip"
    _status, page, _body = by_onion(stack, "GET", "/feed.xml", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in page
