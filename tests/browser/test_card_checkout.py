"""The card step with JavaScript on, through localstripe's own Stripe.js: a gift paid, a card declined, 3-D Secure, a
monthly gift that then renews.

The reading server runs in this process, so the localstripe settings (and STRIPE_JS_URL pointing at the test
localstripe) apply to it for each test's duration. localstripe is not told where to send webhooks: the tests deliver
its events to the reading server themselves, signed as Stripe signs them."""

import json
import urllib.request
from decimal import Decimal

import pytest
from django.test import override_settings

from tests.browser.test_checkout_without_javascript import contribution_ids, forget_contributions_since
from tests.support import localstripe as fixtures
from tests.support.localstripe import CARD_DECLINED_ON_CHARGE, CARD_OK, signed
from tests.waiting import EVENT_MS, EVENT_SECONDS

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.browser

CARD_3D_SECURE = "4000002760003184"


@pytest.fixture
def card_stripe(localstripe, localstripe_server):
    with override_settings(STRIPE_JS_URL=f"{localstripe_server}/js.stripe.com/v3/"):
        yield localstripe


def _start_card_gift(django_db_blocker, amount, frequency):
    from core.actions import Actor
    from core.money import Money
    from support.actions.contributions import start_contribution
    from support.providers.registry import get_provider

    with django_db_blocker.unblock():
        contribution = start_contribution(
            actor=Actor.reader(), amount=Money(Decimal(amount), "EUR"), frequency=frequency, method="card"
        )
        get_provider("card").start(contribution, request=None)
    return contribution


@pytest.fixture
def card_contribution(card_stripe, reading_server, django_db_blocker):
    """A one-time card gift started the way the checkout starts it; taken away again afterwards."""
    existing = contribution_ids(django_db_blocker)
    yield _start_card_gift(django_db_blocker, "12.50", "once")
    forget_contributions_since(django_db_blocker, existing)


@pytest.fixture
def monthly_card_contribution(card_stripe, reading_server, django_db_blocker):
    existing = contribution_ids(django_db_blocker)
    yield _start_card_gift(django_db_blocker, "6", "monthly")
    forget_contributions_since(django_db_blocker, existing)


def deliver_to(server, event):
    """POST one localstripe event to the server's webhook, signed with the test secret; returns the answer's text."""
    payload = json.dumps(event).encode()
    request = urllib.request.Request(
        f"{server}/support/webhooks/stripe/",
        data=payload,
        method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": signed(payload)},
    )
    with urllib.request.urlopen(request, timeout=EVENT_SECONDS) as response:
        return response.read().decode()


def renew(localstripe, server, customer, subscription):
    """Bill the subscription's next period at localstripe and deliver the invoice's event to ``server``."""
    invoice = localstripe.api.Invoice.create(customer=customer, subscription=subscription)
    localstripe.api.Invoice.pay(invoice.id)
    event = next(
        e
        for e in localstripe.events()
        if e["type"] == "invoice.payment_succeeded" and e["data"]["object"]["id"] == invoice.id
    )
    return localstripe.api.Invoice.retrieve(invoice.id), deliver_to(server, event)


def _open_pay_page(chromium, reading_server, contribution):
    context = chromium.new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{reading_server}/support/pay/{contribution.public_id}/")
    page.locator("[data-card-form]").wait_for(state="visible")
    return context, page, errors


def _type_card(page, number, button="Pay by card"):
    widget = page.locator("[data-card-element]")
    widget.locator("input[placeholder=number]").fill(number)
    widget.locator("input[placeholder=exp_month]").fill("12")
    widget.locator("input[placeholder=exp_year]").fill("34")
    widget.locator("input[placeholder=cvc]").fill("123")
    widget.locator("input[placeholder=postal_code]").fill("10115")
    page.get_by_role("button", name=button).click()


def _ledger(django_db_blocker, contribution):
    with django_db_blocker.unblock():
        contribution.refresh_from_db()
        return contribution.status, list(contribution.payments.values_list("status", flat=True))


def test_a_one_time_gift_by_card_ends_thanked_and_paid(chromium, reading_server, card_contribution, django_db_blocker):
    context, page, errors = _open_pay_page(chromium, reading_server, card_contribution)
    try:
        _type_card(page, CARD_OK)
        page.get_by_role("heading", name="Thank you for supporting us").wait_for(timeout=EVENT_MS)
        assert card_contribution.reference in page.content()
    finally:
        context.close()
    assert _ledger(django_db_blocker, card_contribution) == ("completed", ["succeeded"])
    assert not [error for error in errors if "Content Security Policy" in error]


def test_a_monthly_gift_by_card_subscribes_and_its_renewal_is_a_second_payment(
    chromium, reading_server, monthly_card_contribution, card_stripe, django_db_blocker
):
    contribution = monthly_card_contribution
    context, page, errors = _open_pay_page(chromium, reading_server, contribution)
    try:
        assert "€6 every month" in page.inner_text("[data-card-form]")
        _type_card(page, CARD_OK)
        page.get_by_role("heading", name="Thank you for supporting us").wait_for(timeout=EVENT_MS)
    finally:
        context.close()
    assert _ledger(django_db_blocker, contribution) == ("active", ["succeeded"])
    assert not [error for error in errors if "Content Security Policy" in error]
    subscription = card_stripe.api.Subscription.retrieve(contribution.provider_subscription_id)
    assert subscription["status"] == "active"
    assert subscription["items"]["data"][0]["plan"]["amount"] == 600

    invoice, answer = renew(card_stripe, reading_server, contribution.provider_customer_id, subscription.id)

    assert invoice["status"] == "paid" and answer.startswith("recorded renewal")
    assert _ledger(django_db_blocker, contribution) == ("active", ["succeeded", "succeeded"])
    with django_db_blocker.unblock():
        amounts = list(contribution.payments.order_by("pk").values_list("amount", "provider_id"))
    assert amounts[1] == (Decimal("6.00"), invoice["payment_intent"])


def test_a_declined_card_says_why_and_nothing_is_active(chromium, reading_server, card_contribution, django_db_blocker):
    context, page, _errors = _open_pay_page(chromium, reading_server, card_contribution)
    try:
        _type_card(page, CARD_DECLINED_ON_CHARGE)
        status = page.locator("[data-card-message][aria-live=polite]")
        status.filter(has_text="declined").wait_for(timeout=EVENT_MS)
        assert page.get_by_role("button", name="Pay by card").is_enabled()
        assert page.get_by_role("link", name="Choose bank transfer or crypto instead").is_visible()
    finally:
        context.close()
    assert _ledger(django_db_blocker, card_contribution) == ("failed", ["failed"])


def test_3d_secure_completes_in_the_banks_window(chromium, reading_server, card_contribution, django_db_blocker):
    context, page, _errors = _open_pay_page(chromium, reading_server, card_contribution)
    try:
        _type_card(page, CARD_3D_SECURE)
        # the bank asks when the card is set up and again when it is charged
        for _window in range(2):
            page.get_by_role("button", name="Complete authentication").click(timeout=EVENT_MS)
        page.get_by_role("heading", name="Thank you for supporting us").wait_for(timeout=EVENT_MS)
    finally:
        context.close()
    assert _ledger(django_db_blocker, card_contribution) == ("completed", ["succeeded"])


def test_without_javascript_the_card_page_points_to_other_ways(chromium, reading_server, card_contribution):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{reading_server}/support/pay/{card_contribution.public_id}/")
        assert "Paying by card needs JavaScript" in page.inner_text("main")
        assert page.get_by_role("link", name="Start again and choose bank transfer or crypto").is_visible()
        assert not page.locator("[data-card-form]").is_visible()
    finally:
        context.close()


@pytest.mark.django_db
def test_only_the_card_pay_page_lets_stripe_js_in(client, card_stripe, localstripe_server, article):
    from core.actions import Actor
    from core.money import Money
    from support.actions.contributions import start_contribution

    contribution = start_contribution(
        actor=Actor.reader(), amount=Money(Decimal("10"), "EUR"), frequency="once", method="card"
    )
    response = client.get(f"/support/pay/{contribution.public_id}/")
    csp = response["Content-Security-Policy"]
    assert f"script-src 'self' {localstripe_server}" in csp
    assert f"connect-src 'self' {localstripe_server}" in csp
    assert f"frame-src {localstripe_server}" in csp
    assert f'<script src="{localstripe_server}/js.stripe.com/v3/"></script>' in response.content.decode()
    reading = client.get(article.url)
    assert localstripe_server not in reading["Content-Security-Policy"]
    assert "frame-src 'none'" in reading["Content-Security-Policy"]
