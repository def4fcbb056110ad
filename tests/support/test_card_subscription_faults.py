"""A monthly card gift whose payment went through while Stripe could not be asked about it afterwards: the ledger must
still learn of it, from the invoice's webhook or from reconcile. Against localstripe through a relay that fails the
invoice's re-fetch, as a network or Stripe itself can."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.support import localstripe as fixtures
from tests.support.localstripe import deliver
from tests.support.test_stripe_card import started
from tests.support.test_webhook_locks import Relay

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db


class FailingInvoices(Relay):
    """The webhook-lock tests' relay to localstripe, answering the next ``failures`` invoice fetches with a 503 of
    Stripe's shape instead."""

    def __init__(self, target):
        super().__init__(target)
        self.failures, self.failed = 0, 0

    def handle(self, request):
        if request.command == "GET" and request.path.startswith("/v1/invoices/") and self.failures:
            self.failures -= 1
            self.failed += 1
            return self.answer(request, 503, b'{"error": {"message": "unavailable", "type": "api_error"}}')
        return self.forward(request)


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
