"""Replacing the card of a monthly gift from “Manage my support”, in Chromium through localstripe's own Stripe.js: the
new card is saved and pays the next renewal; with JavaScript off the page says what it needs and what else to do."""

from decimal import Decimal

import pytest

from tests.browser.test_card_checkout import _type_card, card_stripe, renew
from tests.browser.test_checkout_without_javascript import contribution_ids, forget_contributions_since
from tests.support import localstripe as fixtures
from tests.support.localstripe import CARD_OK
from tests.waiting import EVENT_MS

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe
card_stripe = card_stripe  # the fixture: localstripe, with STRIPE_JS_URL pointing at it

pytestmark = pytest.mark.browser

ADDRESS = "browser.card.manager.61e2@example.org"


@pytest.fixture
def card_gift(card_stripe, reading_server, django_db_blocker):
    """A monthly card gift with an address, subscribed through the provider; taken away again afterwards."""
    from core.actions import Actor
    from core.models import AuditEntry
    from core.money import Money
    from support.actions.contributions import start_contribution
    from support.models import Supporter
    from support.providers.registry import get_provider

    existing = contribution_ids(django_db_blocker)
    with django_db_blocker.unblock():
        contribution = start_contribution(
            actor=Actor.reader(), amount=Money(Decimal("8"), "EUR"), frequency="monthly", method="card", email=ADDRESS
        )
        provider = get_provider("card")
        provider.start(contribution, request=None)
        contribution.refresh_from_db()
        provider.charge(contribution, card_stripe.confirmed_setup(provider, contribution))
        contribution.refresh_from_db()
        assert contribution.status == "active"
    yield contribution
    forget_contributions_since(django_db_blocker, existing)
    with django_db_blocker.unblock():
        supporters = [str(pk) for pk in Supporter.objects.filter(email=ADDRESS).values_list("pk", flat=True)]
        AuditEntry.objects.filter(subject_type="support.supporter", subject_id__in=supporters).delete()
        Supporter.objects.filter(email=ADDRESS).delete()


def _manage_path(django_db_blocker, contribution):
    from support.receipts import manage_token

    with django_db_blocker.unblock():
        return f"/support/manage/{manage_token(contribution.supporter)}/"


def test_a_new_card_is_saved_and_pays_the_next_renewal(
    chromium, reading_server, card_gift, card_stripe, django_db_blocker
):
    api = card_stripe.api
    old_card = api.Customer.retrieve(card_gift.provider_customer_id)["invoice_settings"]["default_payment_method"]
    manage = _manage_path(django_db_blocker, card_gift)
    context = chromium.new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(f"{reading_server}{manage}")
        page.get_by_role("link", name="Replace the card that pays it").click()
        page.locator("[data-card-form]").wait_for(state="visible")
        _type_card(page, CARD_OK, button="Save the new card")
        page.locator("[data-manage-notice]").filter(has_text="Your new card is saved").wait_for(timeout=EVENT_MS)
        assert page.url == f"{reading_server}{manage}?done=card"
    finally:
        context.close()
    assert not [error for error in errors if "Content Security Policy" in error]

    new_card = api.Customer.retrieve(card_gift.provider_customer_id)["invoice_settings"]["default_payment_method"]
    assert new_card and new_card != old_card
    invoice, answer = renew(
        card_stripe, reading_server, card_gift.provider_customer_id, card_gift.provider_subscription_id
    )
    assert invoice["status"] == "paid" and answer.startswith("recorded renewal")
    assert api.PaymentIntent.retrieve(invoice["payment_intent"])["payment_method"] == new_card
    with django_db_blocker.unblock():
        statuses = list(card_gift.payments.values_list("status", flat=True))
    assert statuses == ["succeeded", "succeeded"]


def test_without_javascript_the_card_page_says_what_else_to_do(chromium, reading_server, card_gift, django_db_blocker):
    manage = _manage_path(django_db_blocker, card_gift)
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{reading_server}{manage}card/{card_gift.pk}/")
        text = page.inner_text("main")
        assert "Replacing a card needs JavaScript" in text
        assert not page.locator("[data-card-form]").is_visible()
        page.get_by_role("link", name="Back to your support, to cancel it or change its amount").click()
        assert page.locator("form[data-cancel-form]").count() == 1
    finally:
        context.close()
