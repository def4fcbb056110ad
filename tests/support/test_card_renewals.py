"""Card subscriptions after the first payment, against a real localstripe over HTTP: a renewal billed and paid adds one
payment (however often its event arrives, and whatever reconcile does after it); a renewal the bank declines adds
none; a new amount and a new card are used by the next renewal.

localstripe cannot move a subscription into its next period, but it bills one when asked: ``POST /v1/invoices`` with
the customer and the subscription makes the next invoice, and ``POST /v1/invoices/<id>/pay`` charges the customer's
default card, then emits ``invoice.payment_succeeded`` (or ``invoice.payment_failed``), as Stripe does at a renewal.
"""

import contextlib
from decimal import Decimal
from io import StringIO

import pytest
import stripe
from django.core.management import call_command
from django.test import override_settings

from core.actions import Actor
from core.errors import DomainError
from core.models import AuditEntry
from core.money import Money
from support.actions.manage import change_contribution_amount, replace_card
from support.models import Contribution, Payment
from support.providers.registry import get_provider
from tests.support import localstripe as fixtures
from tests.support.localstripe import CARD_DECLINED_ON_CHARGE, deliver
from tests.support.test_stripe_card import start

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

ADDRESS = "renewing.reader.5c1e@example.org"


def subscribed(localstripe, amount="5", frequency="monthly", email=""):
    """A regular card gift through the provider's real path: customer, SetupIntent confirmed, subscription paid."""
    from support.actions.contributions import start_contribution

    contribution = start_contribution(
        actor=Actor.reader(), amount=Money(Decimal(amount), "EUR"), frequency=frequency, method="card", email=email
    )
    provider = get_provider("card")
    provider.start(contribution, request=None)
    contribution.refresh_from_db()
    assert provider.charge(contribution, localstripe.confirmed_setup(provider, contribution)) == {"status": "succeeded"}
    contribution.refresh_from_db()
    assert contribution.status == "active"
    return provider, contribution


def bill_renewal(localstripe, contribution):
    """What Stripe does when a period ends: the subscription's next invoice, charged to the customer's default card.
    Returns the invoice as it is after the attempt."""
    api = localstripe.api
    invoice = api.Invoice.create(
        customer=contribution.provider_customer_id, subscription=contribution.provider_subscription_id
    )
    with contextlib.suppress(stripe.CardError):  # Stripe answers a decline with 402; localstripe answers 200
        api.Invoice.pay(invoice.id)  # either way the invoice stays open
    return api.Invoice.retrieve(invoice.id)


def event_for(localstripe, event_type, object_id):
    return next(e for e in localstripe.events() if e["type"] == event_type and e["data"]["object"]["id"] == object_id)


def failed_invoice_event(invoice_id):
    return {
        "id": f"evt_failed_{invoice_id}",
        "object": "event",
        "type": "invoice.payment_failed",
        "data": {"object": {"id": invoice_id, "object": "invoice"}},
    }


def succeeded(contribution):
    payments = Payment.objects.filter(contribution=contribution, status="succeeded").order_by("pk")
    return [payment.amount for payment in payments]


def reconcile():
    out = StringIO()
    call_command("reconcile_stripe", stdout=out)
    return out.getvalue().splitlines()


def test_a_renewal_adds_one_payment_however_often_its_event_arrives(client, localstripe):
    _provider, contribution = subscribed(localstripe, amount="5")
    first = contribution.payments.get()

    invoice = bill_renewal(localstripe, contribution)
    assert (invoice["status"], invoice["amount_paid"]) == ("paid", 500)
    event = event_for(localstripe, "invoice.payment_succeeded", invoice.id)

    answers = [deliver(client, event), deliver(client, event)]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].content.decode().startswith("recorded renewal #")
    assert answers[1].content == b"duplicate"
    assert succeeded(contribution) == [Decimal("5.00"), Decimal("5.00")]
    renewal = Payment.objects.filter(contribution=contribution).exclude(pk=first.pk).get()
    assert (renewal.provider_id, renewal.provider, renewal.currency) == (invoice["payment_intent"], "card", "EUR")
    assert Contribution.objects.get(pk=contribution.pk).status == "active"
    # reconcile afterwards finds the ledger in line with Stripe: nothing to add
    assert reconcile() == ["0 change(s)."]
    assert len(succeeded(contribution)) == 2
    assert AuditEntry.objects.filter(action="payment.renewed", subject_id=str(renewal.pk)).count() == 1


def test_a_renewal_whose_event_was_lost_is_added_by_reconcile_once(localstripe):
    _provider, contribution = subscribed(localstripe, amount="7.50")

    invoice = bill_renewal(localstripe, contribution)

    changes = reconcile()
    assert changes[-1] == "1 change(s)." and invoice["payment_intent"] in changes[0]
    assert reconcile() == ["0 change(s)."]
    assert succeeded(contribution) == [Decimal("7.50"), Decimal("7.50")]


def test_a_declined_renewal_adds_no_payment_and_the_gift_is_past_due_until_stripe_ends_it(client, localstripe):
    _provider, contribution = subscribed(localstripe, amount="5")
    # the card on file starts to decline (expired, blocked): a card that attaches fine but fails when charged
    declining = localstripe.card(CARD_DECLINED_ON_CHARGE)
    localstripe.api.PaymentMethod.attach(declining, customer=contribution.provider_customer_id)
    localstripe.api.Customer.modify(
        contribution.provider_customer_id, invoice_settings={"default_payment_method": declining}
    )

    invoice = bill_renewal(localstripe, contribution)

    assert invoice["status"] == "open" and invoice["amount_paid"] == 0
    # Stripe says so with invoice.payment_failed; localstripe sends no event for an invoice it fails to charge, so the
    # test signs the one Stripe would send (the handler re-fetches the invoice from the API either way)
    # the contribution is past due (its supporter is told: tests/support/test_dunning.py), and still runs
    assert deliver(client, failed_invoice_event(invoice.id)).content.decode().startswith("past due ")
    assert deliver(client, failed_invoice_event(invoice.id)).content == b"duplicate"
    for event in localstripe.events():  # and whatever localstripe did send changes nothing either
        assert deliver(client, event).status_code == 200
    assert reconcile() == ["0 change(s)."]
    assert succeeded(contribution) == [Decimal("5.00")]
    assert not Payment.objects.filter(contribution=contribution).exclude(status="succeeded").exists()
    # Stripe retries on its own schedule with the card on file (or a new one): the promise stands, past due, until a
    # retry pays it or Stripe gives up and ends the subscription
    assert Contribution.objects.get(pk=contribution.pk).status == "past_due"

    # Stripe gives up and deletes the subscription: the contribution ends, its payment stays
    localstripe.api.Subscription.delete(contribution.provider_subscription_id)
    deleted = event_for(localstripe, "customer.subscription.deleted", contribution.provider_subscription_id)
    assert deliver(client, deleted).content.decode().startswith(f"cancelled {contribution.reference}")
    assert Contribution.objects.get(pk=contribution.pk).status == "cancelled"
    assert succeeded(contribution) == [Decimal("5.00")]


def test_a_new_amount_is_billed_from_the_next_renewal_on(client, localstripe):
    _provider, contribution = subscribed(localstripe, amount="5")

    assert change_contribution_amount(actor=Actor.reader(), contribution_id=contribution.pk, amount=Decimal("12.50"))

    contribution.refresh_from_db()
    assert contribution.amount == Decimal("12.50")
    subscription = localstripe.api.Subscription.retrieve(contribution.provider_subscription_id)
    plan = subscription["items"]["data"][0]["plan"]
    assert (plan["id"], plan["amount"], plan["interval"]) == ("samizdat-month-eur-1250", 1250, "month")
    assert subscription["status"] == "active"
    [entry] = AuditEntry.objects.filter(action="contribution.amount_changed")
    assert entry.data == {"before": "5.00", "after": "12.50", "currency": "EUR"}

    invoice = bill_renewal(localstripe, contribution)
    assert (invoice["status"], invoice["amount_paid"]) == ("paid", 1250)  # no proration either way
    deliver(client, event_for(localstripe, "invoice.payment_succeeded", invoice.id))
    assert succeeded(contribution) == [Decimal("5.00"), Decimal("12.50")]

    # the same amount again changes nothing, anywhere
    assert not change_contribution_amount(actor=Actor.reader(), contribution_id=contribution.pk, amount=Decimal("12.5"))
    assert AuditEntry.objects.filter(action="contribution.amount_changed").count() == 1
    # and back to the first amount: a Plan that exists already is reused
    assert change_contribution_amount(actor=Actor.reader(), contribution_id=contribution.pk, amount=Decimal("5"))
    subscription = localstripe.api.Subscription.retrieve(contribution.provider_subscription_id)
    assert subscription["items"]["data"][0]["plan"]["id"] == "samizdat-month-eur-500"
    assert bill_renewal(localstripe, contribution)["amount_paid"] == 500


def test_an_amount_stripe_cannot_take_changes_nothing(localstripe):
    _provider, contribution = subscribed(localstripe, amount="5", frequency="annual")

    # below the campaign's minimum, above the maximum, too many decimals: refused before Stripe is asked
    for bad in ("0.50", "10001", "7.555"):
        with pytest.raises(DomainError):
            change_contribution_amount(actor=Actor.reader(), contribution_id=contribution.pk, amount=Decimal(bad))
    # the subscription is gone at Stripe (ended meanwhile): refused with a message
    localstripe.api.Subscription.delete(contribution.provider_subscription_id)
    with pytest.raises(DomainError, match="already ended"):
        change_contribution_amount(actor=Actor.reader(), contribution_id=contribution.pk, amount=Decimal("60"))
    # Stripe cannot be reached
    # (override_settings, not the settings fixture: that one would be undone after localstripe's, leaving card on)
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9"), pytest.raises(DomainError, match="cannot be reached"):
        change_contribution_amount(actor=Actor.reader(), contribution_id=contribution.pk, amount=Decimal("60"))

    contribution.refresh_from_db()
    assert contribution.amount == Decimal("5.00")
    assert not AuditEntry.objects.filter(action="contribution.amount_changed").exists()


def test_a_new_card_pays_the_next_renewal_and_the_old_one_is_let_go(client, localstripe):
    provider, contribution = subscribed(localstripe, amount="5", email=ADDRESS)
    api = localstripe.api
    old_card = api.Customer.retrieve(contribution.provider_customer_id)["invoice_settings"]["default_payment_method"]
    assert old_card

    prepared = provider.prepare_card_replacement(contribution)
    new_card = localstripe.card()
    api.SetupIntent.confirm(prepared["setup_intent"], payment_method=new_card)  # what Stripe.js does on the page
    changed = replace_card(
        actor=Actor.reader(),
        supporter_id=contribution.supporter_id,
        contribution_id=contribution.pk,
        setup_intent=prepared["setup_intent"],
    )

    assert changed
    customer = api.Customer.retrieve(contribution.provider_customer_id)
    assert customer["invoice_settings"]["default_payment_method"] == new_card
    assert api.PaymentMethod.retrieve(old_card)["customer"] is None  # detached: we keep no card we do not charge
    [entry] = AuditEntry.objects.filter(action="contribution.card_replaced")
    assert entry.subject_id == str(contribution.pk) and entry.data == {}
    # sending the same confirmation again changes nothing
    assert not replace_card(
        actor=Actor.reader(),
        supporter_id=contribution.supporter_id,
        contribution_id=contribution.pk,
        setup_intent=prepared["setup_intent"],
    )
    assert AuditEntry.objects.filter(action="contribution.card_replaced").count() == 1

    invoice = bill_renewal(localstripe, contribution)
    assert invoice["status"] == "paid"
    assert api.PaymentIntent.retrieve(invoice["payment_intent"])["payment_method"] == new_card
    deliver(client, event_for(localstripe, "invoice.payment_succeeded", invoice.id))
    assert succeeded(contribution) == [Decimal("5.00"), Decimal("5.00")]


def test_a_declining_card_replaced_lets_the_next_renewal_through(client, localstripe):
    provider, contribution = subscribed(localstripe, amount="5", email=ADDRESS)

    def new_card(number):
        prepared = provider.prepare_card_replacement(contribution)
        localstripe.api.SetupIntent.confirm(prepared["setup_intent"], payment_method=localstripe.card(number))
        return replace_card(
            actor=Actor.reader(),
            supporter_id=contribution.supporter_id,
            contribution_id=contribution.pk,
            setup_intent=prepared["setup_intent"],
        )

    assert new_card(CARD_DECLINED_ON_CHARGE)  # sets up fine, declines when charged
    declined = bill_renewal(localstripe, contribution)
    assert declined["status"] == "open"
    assert deliver(client, failed_invoice_event(declined.id)).status_code == 200
    assert succeeded(contribution) == [Decimal("5.00")]

    assert Contribution.objects.get(pk=contribution.pk).status == "past_due"

    assert new_card(fixtures.CARD_OK)  # the unpaid renewal is charged to the new card at once
    assert localstripe.api.Invoice.retrieve(declined.id)["status"] == "paid"
    assert succeeded(contribution) == [Decimal("5.00"), Decimal("5.00")]
    assert Contribution.objects.get(pk=contribution.pk).status == "active"
    paid = bill_renewal(localstripe, contribution)
    assert paid["status"] == "paid"
    deliver(client, event_for(localstripe, "invoice.payment_succeeded", paid.id))
    assert succeeded(contribution) == [Decimal("5.00")] * 3


def test_a_card_is_replaced_only_with_a_setup_of_its_own_customer(localstripe):
    provider, contribution = subscribed(localstripe, amount="5", email=ADDRESS)
    _other_provider, other = subscribed(localstripe, amount="6", email="someone.else.77@example.org")
    foreign = provider.prepare_card_replacement(other)
    localstripe.api.SetupIntent.confirm(foreign["setup_intent"], payment_method=localstripe.card())
    unconfirmed = provider.prepare_card_replacement(contribution)
    before = localstripe.api.Customer.retrieve(contribution.provider_customer_id)["invoice_settings"]

    def attempt(setup_intent, supporter_id=contribution.supporter_id, contribution_id=contribution.pk):
        return replace_card(
            actor=Actor.reader(), supporter_id=supporter_id, contribution_id=contribution_id, setup_intent=setup_intent
        )

    for setup_intent in (foreign["setup_intent"], unconfirmed["setup_intent"], "seti_nonexistent", "../x", ""):
        with pytest.raises(DomainError, match="was not set up for this contribution"):
            attempt(setup_intent)
    with pytest.raises(DomainError, match="no such contribution among yours"):
        attempt(foreign["setup_intent"], contribution_id=other.pk)  # someone else's contribution
    one_time = start(amount="9")
    with pytest.raises(DomainError):
        attempt(foreign["setup_intent"], supporter_id=one_time.supporter_id, contribution_id=one_time.pk)

    after = localstripe.api.Customer.retrieve(contribution.provider_customer_id)["invoice_settings"]
    assert after == before
    assert not AuditEntry.objects.filter(action="contribution.card_replaced").exists()
