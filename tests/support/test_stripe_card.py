"""Card payments against a real localstripe over HTTP: the server side of the pay page (charge once, subscribe)."""

from decimal import Decimal

import pytest

from core.actions import Actor
from core.money import Money
from support.actions.contributions import start_contribution
from support.models import Contribution, Payment
from support.providers.registry import enabled_providers, get_provider
from support.providers.stripe_card import CardDeclined
from tests.support import localstripe as fixtures
from tests.support.localstripe import CARD_DECLINED_ON_CHARGE

# the session's localstripe server and the per-test fixture that empties it
localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db


def start(amount="10", frequency="once", currency="EUR"):
    return start_contribution(
        actor=Actor.reader(), amount=Money(Decimal(amount), currency), frequency=frequency, method="card"
    )


def started(localstripe, **kwargs):
    contribution = start(**kwargs)
    provider = get_provider("card")
    step = provider.start(contribution, request=None)
    assert step.needs_javascript and step.url == f"/support/pay/{contribution.public_id}/"
    contribution.refresh_from_db()
    return provider, contribution


def test_card_is_offered_only_once_its_settings_are_present(localstripe, settings):
    assert "card" in enabled_providers()
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert get_provider("card") is None


def test_a_one_time_gift_is_charged_once_and_completed(localstripe):
    provider, contribution = started(localstripe, amount="12.50")
    # nothing at Stripe until the card step asks for a SetupIntent
    assert contribution.provider_customer_id == ""
    assert localstripe.api.Customer.list(limit=100)["data"] == []

    setup = localstripe.confirmed_setup(provider, contribution)
    customer = localstripe.api.Customer.retrieve(contribution.provider_customer_id)
    assert customer["email"] is None  # the supporter's address never goes to Stripe
    result = provider.charge(contribution, setup)

    assert result == {"status": "succeeded"}
    contribution.refresh_from_db()
    payment = contribution.payments.get()
    assert (contribution.status, payment.status) == ("completed", "succeeded")
    intent = localstripe.api.PaymentIntent.retrieve(payment.provider_id)
    assert (intent["amount"], intent["currency"], intent["status"]) == (1250, "eur", "succeeded")
    # the same confirmation sent again (a double click) charges nothing more
    assert provider.charge(contribution, setup) == {"status": "succeeded"}
    assert len(localstripe.api.PaymentIntent.list(limit=100)["data"]) == 1


def test_a_declined_card_leaves_no_active_contribution_and_says_why(localstripe):
    provider, contribution = started(localstripe)
    setup = localstripe.confirmed_setup(provider, contribution, CARD_DECLINED_ON_CHARGE)

    with pytest.raises(CardDeclined, match="declined"):
        provider.charge(contribution, setup)

    contribution.refresh_from_db()
    payment = contribution.payments.get()
    assert (contribution.status, payment.status) == ("failed", "failed")
    assert "declined" in payment.failure_message
    # another card then works, on the same payment
    assert provider.charge(contribution, localstripe.confirmed_setup(provider, contribution))["status"] == "succeeded"
    contribution.refresh_from_db()
    assert contribution.status == "completed"
    assert contribution.payments.get().status == "succeeded"


def test_a_monthly_gift_subscribes_and_is_active(localstripe):
    provider, contribution = started(localstripe, amount="5", frequency="monthly")

    assert provider.charge(contribution, localstripe.confirmed_setup(provider, contribution)) == {"status": "succeeded"}

    contribution.refresh_from_db()
    assert contribution.status == "active"
    subscription = localstripe.api.Subscription.retrieve(contribution.provider_subscription_id)
    assert subscription["status"] == "active"
    plan = subscription["items"]["data"][0]["plan"]
    assert (plan["id"], plan["amount"], plan["interval"]) == ("samizdat-month-eur-500", 500, "month")
    invoice = localstripe.api.Invoice.retrieve(subscription["latest_invoice"])
    payment = contribution.payments.get()
    assert (payment.status, payment.provider_id) == ("succeeded", invoice["payment_intent"])


def test_an_annual_gift_declined_is_not_left_subscribed(localstripe):
    provider, contribution = started(localstripe, amount="60", frequency="annual")
    setup = localstripe.confirmed_setup(provider, contribution, CARD_DECLINED_ON_CHARGE)

    with pytest.raises(CardDeclined):
        provider.charge(contribution, setup)

    contribution.refresh_from_db()
    assert contribution.status == "failed" and contribution.provider_subscription_id is None
    assert localstripe.api.Subscription.list(limit=100)["data"] == []  # the incomplete one was dropped
    assert Payment.objects.filter(contribution=contribution, status="succeeded").count() == 0
    assert not Contribution.objects.filter(status="active", method="card").exists()


def test_stopping_a_monthly_card_gift_ends_the_subscription_at_stripe(localstripe):
    provider, contribution = started(localstripe, amount="5", frequency="monthly")
    provider.charge(contribution, localstripe.confirmed_setup(provider, contribution))
    contribution.refresh_from_db()

    provider.cancel_recurring(contribution)
    provider.cancel_recurring(contribution)  # a second stop is harmless

    subscription = localstripe.api.Subscription.retrieve(contribution.provider_subscription_id)
    assert subscription["status"] == "canceled"


def test_card_is_offered_at_checkout_now_that_its_step_exists(localstripe):
    from support.checkout import offer_for
    from support.models import Campaign

    offer = offer_for(Campaign.objects.get(language="en", is_active=True))
    card = offer.method("card")
    assert card is not None and card.available
    assert "card" in [m.key for m in offer.available_methods]


def test_a_burst_of_declines_is_blocked_while_another_reader_still_pays(localstripe):
    from django.test import Client

    from support.cards.state import CARD_FAILURE_LIMIT

    tester = Client(REMOTE_ADDR="203.0.113.9")
    for _attempt in range(CARD_FAILURE_LIMIT):
        provider, contribution = started(localstripe, amount="7")
        setup = localstripe.confirmed_setup(provider, contribution, number=CARD_DECLINED_ON_CHARGE)
        answer = tester.post(f"/support/pay/{contribution.public_id}/card/charge/", {"setup_intent": setup}).json()
        assert answer["status"] == "declined"

    provider, contribution = started(localstripe, amount="7")
    setup = localstripe.confirmed_setup(provider, contribution)  # even a good card: this address is blocked now
    blocked = tester.post(f"/support/pay/{contribution.public_id}/card/charge/", {"setup_intent": setup})
    assert blocked.status_code == 429 and blocked.json()["status"] == "blocked"
    assert Payment.objects.filter(status="succeeded").count() == 0

    reader = Client(REMOTE_ADDR="198.51.100.4")
    provider, contribution = started(localstripe, amount="7")
    setup = localstripe.confirmed_setup(provider, contribution)
    paid = reader.post(f"/support/pay/{contribution.public_id}/card/charge/", {"setup_intent": setup}).json()
    assert paid["status"] == "succeeded"
    contribution.refresh_from_db()
    assert contribution.status == "completed"
