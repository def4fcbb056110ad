"""The HTTP client the Stripe SDK talks through (support/providers/stripe_http.py): against a real localstripe, and
against a small server of our own that closes idle connections or answers nothing, as servers and networks do."""

import contextlib
import http.server
import json
import socket
import threading

import pytest
import stripe

from support.providers import stripe_card, stripe_http
from tests.support import localstripe as fixtures

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe


class Recorder(http.server.ThreadingHTTPServer):
    """Answers every request with a small Stripe-like JSON body over HTTP/1.1 keep-alive, and remembers from which
    client port each request came: one port for many requests is one connection kept alive."""

    daemon_threads = True

    def __init__(self):
        self.ports, self.sockets = [], []
        super().__init__(("127.0.0.1", 0), Handler)

    def close_idle_connections(self):
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.server.sockets.append(self.connection)

    def do_GET(self):
        self.server.ports.append(self.client_address[1])
        body = json.dumps({"id": "pi_kept", "object": "payment_intent", "status": "succeeded"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder(settings):
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.STRIPE_API_BASE = server.base
    settings.STRIPE_SECRET_KEY = "sk_test_samizdat"
    stripe_card._JSON_CLIENTS.clear()
    client = stripe_http.KeepAliveClient(timeout=5)
    previous, stripe.default_http_client = stripe.default_http_client, client
    yield server
    stripe.default_http_client = previous
    stripe_card._JSON_CLIENTS.clear()
    client.close()
    server.shutdown()
    server.server_close()


def test_the_sdk_talks_through_our_client_and_gets_the_same_answers(localstripe):
    previous = stripe.default_http_client
    stripe.default_http_client = None
    try:
        api = localstripe.api  # configure() installs the client where none was chosen
        assert isinstance(stripe.default_http_client, stripe_http.KeepAliveClient)
        customer = api.Customer.create(email="reader@example.org")
        intent = api.PaymentIntent.create(
            amount=1234, currency="eur", customer=customer.id, payment_method=localstripe.card(), confirm=True
        )
        fetched = stripe_card._retrieve_json("payment_intents", intent.id)
    finally:
        stripe.default_http_client = previous
    assert (fetched["id"], fetched["amount"], fetched["status"]) == (intent.id, 1234, "succeeded")
    assert api.Customer.retrieve(customer.id).email == "reader@example.org"


def test_an_error_answer_becomes_the_sdks_error_with_its_message(localstripe):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_card._retrieve_json("payment_intents", "pi_doesnotexist")
    assert raised.value.http_status == 404


def test_one_connection_carries_every_call_of_a_thread(recorder):
    for _ in range(5):
        assert stripe_card._retrieve_json("payment_intents", "pi_kept")["status"] == "succeeded"
    assert len(recorder.ports) == 5
    assert len(set(recorder.ports)) == 1


def test_a_connection_the_server_closed_while_idle_is_replaced_without_an_error(recorder):
    stripe_card._retrieve_json("payment_intents", "pi_kept")
    recorder.close_idle_connections()
    stripe_card._retrieve_json("payment_intents", "pi_kept")
    assert len(recorder.ports) == 2
    assert recorder.ports[0] != recorder.ports[1]


def test_each_thread_has_its_own_connection(recorder):
    def fetch():
        stripe_card._retrieve_json("payment_intents", "pi_kept")
        stripe_card._retrieve_json("payment_intents", "pi_kept")

    threads = [threading.Thread(target=fetch) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(recorder.ports) == 6
    assert len(set(recorder.ports)) == 3


def test_a_server_that_is_not_there_is_a_connection_error_the_sdk_may_retry(settings):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    client = stripe_http.KeepAliveClient(timeout=5)
    with pytest.raises(stripe.APIConnectionError) as raised:
        client.request("get", f"http://127.0.0.1:{port}/v1/payment_intents/pi_x", {})
    assert raised.value.should_retry
    assert f"127.0.0.1:{port}" in str(raised.value)


def test_a_webhook_fetch_that_cannot_reach_stripe_asks_for_a_retry(settings):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"
    stripe_card._JSON_CLIENTS.clear()
    previous, stripe.default_http_client = stripe.default_http_client, stripe_http.KeepAliveClient(timeout=5)
    try:
        with pytest.raises(stripe_card.TRANSIENT_ERRORS):
            stripe_card._retrieve_json("payment_intents", "pi_x")
    finally:
        stripe.default_http_client = previous
        stripe_card._JSON_CLIENTS.clear()


def test_a_configured_proxy_keeps_the_sdks_own_client(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.org:3128")
    previous, stripe.default_http_client = stripe.default_http_client, None
    try:
        stripe_http.install()
        assert stripe.default_http_client is None  # the SDK makes its own, which speaks to proxies
    finally:
        stripe.default_http_client = previous
