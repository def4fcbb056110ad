"""Stripe webhooks and reconciliation against a real localstripe: signed events delivered over HTTP to our endpoint,
twice, shuffled and some dropped; then ``manage.py reconcile_stripe`` must leave the ledger equal to Stripe's."""

import json
import random
from io import StringIO

import pytest
from django.core.management import call_command

from support.models import Contribution, Payment, ProviderEvent
from support.providers.registry import get_provider
from tests.support import localstripe as fixtures
from tests.support.localstripe import deliver, signed
from tests.support.test_stripe_card import start

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db
# Savepoints included, since each test runs in a transaction: record (one upsert), savepoint, claim, savepoint, lock
# the contribution of the payment the intent names, lock the payment, update both, append the payment to the two
# revenue tallies it counts in (support/models/tallies.py: an insert each, never an update of a shared row), audit
# entry, release, release.
QUERIES_PER_NEW_EVENT = 13


def reconcile():
    out = StringIO()
    call_command("reconcile_stripe", stdout=out)
    return out.getvalue().splitlines()


def test_a_bad_signature_is_refused_and_nothing_is_recorded(client, localstripe):
    event = {"id": "evt_forged", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_x"}}}
    payload = json.dumps(event).encode()
    for header in (signed(payload, secret="whsec_wrong"), "", signed(payload, timestamp=1_600_000_000)):
        response = client.post(
            "/support/webhooks/stripe/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        assert response.status_code == 400
    assert client.get("/support/webhooks/stripe/").status_code == 405
    assert not ProviderEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "the body is not JSON"),
        (b"[1, 2]", "the body is not a Stripe event"),
        (b'{"id": 7, "type": "payment_intent.succeeded"}', "the body is not a Stripe event"),
        (b'{"id": "evt 1/../x", "type": "customer.created"}', "the event's id is not a Stripe id"),
        (
            b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": {}}',
            "the payment_intent.succeeded event names no object",
        ),
        (
            b'{"id": "evt_2", "type": "invoice.payment_failed", "data": {"object": {"id": "in_1/../../v1/x"}}}',
            "the invoice.payment_failed event names no object",
        ),
    ],
)
def test_a_signed_body_that_is_no_stripe_event_gets_a_clear_400_and_changes_nothing(client, localstripe, body, message):
    response = client.post(
        "/support/webhooks/stripe/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signed(body)
    )
    assert (response.status_code, response.content.decode()) == (400, message)
    assert not ProviderEvent.objects.exists()


def test_a_duplicate_event_is_recorded_once_and_ignored(client, localstripe, django_assert_max_num_queries):
    """Also the hot path's cost: a new event is recorded, claimed, locked, moved and audited and nothing more (no
    transaction of its own for the record, no savepoint around the move); a replay reads the record and stops."""
    contribution = start()
    payment = contribution.payments.get()
    provider = get_provider("card")
    provider.start(contribution, None)
    provider.prepare(contribution)  # the card step, which makes the customer
    contribution.refresh_from_db()
    # The charge went through at Stripe but our server never heard back (say it crashed): only the webhook tells us.
    intent = localstripe.api.PaymentIntent.create(
        amount=1000,
        currency="eur",
        customer=contribution.provider_customer_id,
        payment_method=localstripe.card(),
        confirm=True,
        metadata={"samizdat_payment": str(payment.pk)},
    )
    event = next(e for e in localstripe.events() if e["type"] == "payment_intent.succeeded")

    with django_assert_max_num_queries(QUERIES_PER_NEW_EVENT):
        first = deliver(client, event)
    with django_assert_max_num_queries(1):
        second = deliver(client, event)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content.decode().startswith("confirmed payment")
    assert second.content == b"duplicate"
    assert ProviderEvent.objects.filter(event_id=event["id"]).count() == 1
    payment.refresh_from_db()
    assert (payment.status, payment.provider_id) == ("succeeded", intent.id)
    assert Contribution.objects.get(pk=contribution.pk).status == "completed"


def test_an_unhandled_type_is_answered_200_and_left_alone(client, localstripe):
    localstripe.api.Customer.create()
    event = next(e for e in localstripe.events() if e["type"] == "customer.created")
    response = deliver(client, event)
    assert (response.status_code, response.content) == (200, b"ignored")
    assert ProviderEvent.objects.get(event_id=event["id"]).handled_at is None


def test_shuffled_doubled_and_dropped_events_then_reconcile_match_stripe(client, localstripe):
    provider = get_provider("card")
    api = localstripe.api
    # 1. a one-time gift charged at Stripe that the server never recorded (confirmed by webhook or reconcile)
    lost = start(amount="7")
    provider.start(lost, None)
    provider.prepare(lost)  # the card step, which makes the customer
    lost.refresh_from_db()
    api.PaymentIntent.create(
        amount=700,
        currency="eur",
        customer=lost.provider_customer_id,
        payment_method=localstripe.card(),
        confirm=True,
        metadata={"samizdat_payment": str(lost.payments.get().pk)},
    )
    # 2. a one-time gift charged normally, 3. a monthly gift that stays, 4. a monthly gift cancelled at Stripe
    once = start(amount="20")
    provider.start(once, None)
    once.refresh_from_db()
    provider.charge(once, localstripe.confirmed_setup(provider, once))
    kept, ended = start(amount="5", frequency="monthly"), start(amount="8", frequency="monthly")
    for contribution in (kept, ended):
        provider.start(contribution, None)
        contribution.refresh_from_db()
        provider.charge(contribution, localstripe.confirmed_setup(provider, contribution))
    ended.refresh_from_db()
    api.Subscription.delete(ended.provider_subscription_id)

    lost_intent = next(pi for pi in api.PaymentIntent.list(limit=100)["data"] if pi["amount"] == 700)

    events = localstripe.events()
    deliveries = events * 2
    random.Random(4).shuffle(deliveries)
    # lose what matters most: the lost charge's success and the subscription's end
    dropped = {
        e["id"]
        for e in events
        if e["type"] == "customer.subscription.deleted" or e["data"]["object"]["id"] == lost_intent["id"]
    }
    for event in deliveries:
        if event["id"] not in dropped:
            assert deliver(client, event).status_code == 200
    assert Contribution.objects.get(pk=lost.pk).status == "pending"
    assert Contribution.objects.get(pk=ended.pk).status == "active"

    changes = reconcile()
    assert len(changes) == 3 and changes[-1] == "2 change(s)."
    assert any(line.startswith("confirmed payment") and lost_intent["id"] in line for line in changes)
    assert any(line.startswith(f"cancelled {ended.reference}") for line in changes)
    assert reconcile() == ["0 change(s)."]  # a second run changes nothing

    # the ledger now says what Stripe says
    for contribution in (lost, once, kept, ended):
        contribution.refresh_from_db()
    assert [c.status for c in (lost, once, kept, ended)] == ["completed", "completed", "active", "cancelled"]
    intents = {pi["id"]: pi for pi in api.PaymentIntent.list(limit=100).auto_paging_iter()}
    succeeded = {pid for pid, pi in intents.items() if pi["status"] == "succeeded"}
    card_payments = Payment.objects.filter(provider="card", status="succeeded")
    assert sorted(card_payments.values_list("provider_id", flat=True)) == sorted(succeeded)  # one row each, no doubles
    assert Payment.objects.filter(provider="card").count() == 4
    live = {s["id"] for s in api.Subscription.list(limit=100).auto_paging_iter() if s["status"] == "active"}
    assert live == set(
        Contribution.objects.filter(method="card", status="active").values_list("provider_subscription_id", flat=True)
    )
