"""A monthly card gift whose payment went through while Stripe could not be asked about it afterwards: the ledger must
still learn of it, from the invoice's webhook or from reconcile. Against localstripe through a relay that fails the
invoice's re-fetch, as a network or Stripe itself can."""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.support import localstripe as fixtures
from tests.support.localstripe import deliver
from tests.support.test_stripe_card import started

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db


class FailingInvoices:
    """Passes every request on to localstripe, except that it answers the next ``failures`` invoice fetches with a
    503 of Stripe's shape."""

    def __init__(self, target):
        self.target, self.failures, self.failed = urlsplit(target), 0, 0
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                relay.handle(self)

            do_POST = do_DELETE = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, request):
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        if request.command == "GET" and request.path.startswith("/v1/invoices/") and self.failures:
            self.failures -= 1
            self.failed += 1
            return self.answer(request, 503, b'{"error": {"message": "unavailable", "type": "api_error"}}')
        upstream = http.client.HTTPConnection(self.target.hostname, self.target.port, timeout=60)
        headers = {name: value for name, value in request.headers.items() if name.lower() not in ("host", "connection")}
        upstream.request(request.command, request.path, body=body or None, headers=headers)
        response = upstream.getresponse()
        self.answer(request, response.status, response.read())
        upstream.close()

    @staticmethod
    def answer(request, status, body):
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def relay(localstripe):
    relay = FailingInvoices(localstripe.base)
    with override_settings(STRIPE_API_BASE=relay.base):
        yield relay
    relay.close()


def subscribed_while_invoices_fail(localstripe, relay):
    provider, contribution = started(localstripe, amount="5", frequency="monthly")
    setup = localstripe.confirmed_setup(provider, contribution)
    relay.failures = 1
    assert provider.charge(contribution, setup) == {"status": "succeeded"}  # the card was charged: say so
    assert relay.failed == 1
    contribution.refresh_from_db()
    subscription = localstripe.api.Subscription.retrieve(contribution.provider_subscription_id)
    assert subscription["status"] == "active"
    assert contribution.payments.get().status == "pending"  # not yet known to the ledger
    return contribution, subscription


def test_the_invoices_webhook_confirms_a_subscription_whose_invoice_could_not_be_fetched(client, localstripe, relay):
    contribution, subscription = subscribed_while_invoices_fail(localstripe, relay)
    invoice = localstripe.api.Invoice.retrieve(subscription["latest_invoice"])
    event = next(
        e
        for e in localstripe.events()
        if e["type"] == "invoice.payment_succeeded" and e["data"]["object"]["id"] == invoice["id"]
    )

    assert deliver(client, event).status_code == 200

    contribution.refresh_from_db()
    payment = contribution.payments.get()
    assert contribution.status == "active"
    assert (payment.status, payment.provider_id) == ("succeeded", invoice["payment_intent"])


def test_reconcile_finds_a_subscription_whose_invoice_could_not_be_fetched(localstripe, relay):
    contribution, _subscription = subscribed_while_invoices_fail(localstripe, relay)

    call_command("reconcile_stripe", stdout=StringIO())

    contribution.refresh_from_db()
    assert contribution.status == "active"
    assert contribution.payments.get().status == "succeeded"
