"""Stripe webhook signatures dated ahead of our clock, delivered over HTTP to our endpoint: a few seconds ahead is a
clock's drift and goes through; an hour ahead is refused with a 400 before anything is recorded, however the header
carries the date (one ``t=``, or several, where the SDK reads only the first)."""

import json
import time

import pytest

from support.models import Payment, ProviderEvent
from support.providers.registry import get_provider
from tests.support import localstripe as fixtures
from tests.support.localstripe import signed
from tests.support.test_stripe_card import start

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

HOUR = 60 * 60


def post(client, payload, header):
    return client.post(
        "/support/webhooks/stripe/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def ignored_event(event_id):
    return json.dumps({"id": event_id, "type": "customer.created", "data": {"object": {"id": "cus_x"}}}).encode()


def test_a_signature_a_few_seconds_ahead_passes_and_one_an_hour_ahead_is_refused_recording_nothing(client, localstripe):
    now = int(time.time())
    drifted = ignored_event("evt_drifted")
    accepted = post(client, drifted, signed(drifted, timestamp=now + 10))
    assert (accepted.status_code, accepted.content) == (200, b"ignored")

    ahead = ignored_event("evt_ahead")
    refused = post(client, ahead, signed(ahead, timestamp=now + HOUR))
    assert refused.status_code == 400
    assert b"invalid signature" in refused.content
    assert list(ProviderEvent.objects.values_list("event_id", flat=True)) == ["evt_drifted"]


def test_a_date_beyond_the_configured_skew_is_refused(client, localstripe, settings):
    settings.STRIPE_WEBHOOK_FUTURE_SKEW = 5
    payload = ignored_event("evt_skew")
    refused = post(client, payload, signed(payload, timestamp=int(time.time()) + 30))
    assert refused.status_code == 400
    assert not ProviderEvent.objects.exists()


def test_a_second_date_an_hour_ahead_in_the_same_header_is_refused(client, localstripe):
    """The header carries a valid signature for now and a second ``t=`` an hour ahead: every date counts."""
    payload = ignored_event("evt_two_dates")
    header = signed(payload) + f",t={int(time.time()) + HOUR}"
    refused = post(client, payload, header)
    assert refused.status_code == 400
    assert not ProviderEvent.objects.exists()


def test_a_replayable_payment_event_dated_ahead_moves_no_money_and_asks_stripe_nothing(client, localstripe):
    """A real payment's "succeeded" event, signed an hour ahead: refused before it is recorded or re-fetched, so
    the payment stays as it is even though its intent did succeed at Stripe."""
    contribution = start(amount="9")
    provider = get_provider("card")
    setup = localstripe.confirmed_setup(provider, contribution)
    payment = contribution.payments.get()
    method = localstripe.api.SetupIntent.retrieve(setup)["payment_method"]
    localstripe.api.PaymentMethod.attach(method, customer=contribution.provider_customer_id)
    intent = localstripe.api.PaymentIntent.create(
        amount=900,
        currency="eur",
        customer=contribution.provider_customer_id,
        payment_method=method,
        confirm=True,
        metadata={"samizdat_payment": str(payment.pk), "samizdat_reference": contribution.reference},
    )
    assert intent["status"] == "succeeded"
    event = {"id": "evt_future_pay", "type": "payment_intent.succeeded", "data": {"object": {"id": intent.id}}}
    payload = json.dumps(event).encode()

    refused = post(client, payload, signed(payload, timestamp=int(time.time()) + HOUR))

    assert refused.status_code == 400
    assert not ProviderEvent.objects.exists()
    assert Payment.objects.get(pk=payment.pk).status == "pending"
