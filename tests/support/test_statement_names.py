"""Neutral names on a supporter's statements: the bank account holder readers are told to pay
(``BANK_ACCOUNT_HOLDER``) and the card statement descriptor (``CARD_STATEMENT_DESCRIPTOR``), shown on the pay pages
and sent to Stripe on the subscriptions' products (a real localstripe over HTTP)."""

import os
import subprocess
import sys
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from core.actions import Actor
from core.money import Money
from support.actions.contributions import start_contribution
from tests.support import localstripe as fixtures
from tests.support.test_card_renewals import subscribed

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

HOLDER = "Northern Reading Club"
DESCRIPTOR = "NRC MEMBERSHIP"


@pytest.fixture
def neutral(settings):
    settings.BANK_ACCOUNT_HOLDER = HOLDER
    settings.CARD_STATEMENT_DESCRIPTOR = DESCRIPTOR


def pay_page(client, method):
    contribution = start_contribution(
        actor=Actor.reader(), amount=Money(Decimal("10"), "EUR"), frequency="monthly", method=method, email=""
    )
    page = client.get(f"/support/pay/{contribution.public_id}/")
    assert page.status_code == 200
    return BeautifulSoup(page.content, "html.parser")


def test_the_bank_details_name_the_neutral_holder(client, neutral):
    page = pay_page(client, "bank_transfer")
    assert page.select_one("[data-pay-holder]").get_text() == HOLDER
    assert HOLDER in page.select_one("[data-pay-holder-note]").get_text()
    ways = BeautifulSoup(client.get("/support/bank-transfer/").content, "html.parser")
    assert HOLDER in ways.select_one("[data-ways-bank]").get_text()


def test_the_card_pay_page_says_what_the_statement_shows_and_stripe_is_told(client, neutral, localstripe):
    page = pay_page(client, "card")
    assert DESCRIPTOR in page.select_one("[data-pay-descriptor]").get_text()

    _provider, contribution = subscribed(localstripe, amount="6")
    subscription = localstripe.api.Subscription.retrieve(contribution.provider_subscription_id)
    product = subscription["items"]["data"][0]["plan"]["product"]
    product_id = product if isinstance(product, str) else product["id"]
    assert localstripe.api.Product.retrieve(product_id)["statement_descriptor"] == DESCRIPTOR


def test_without_the_settings_the_pages_say_nothing_of_a_descriptor(client, localstripe):
    assert pay_page(client, "card").select_one("[data-pay-descriptor]") is None


@pytest.mark.parametrize("value", ["<Samizdat>", "NEWS", "Газета Самиздат", "A" * 23, "12345"])
def test_a_descriptor_stripe_would_refuse_stops_the_start(value):
    environment = {**os.environ, "SAMIZDAT_ENV": "test", "CARD_STATEMENT_DESCRIPTOR": value}
    result = subprocess.run(
        [sys.executable, "-c", "import samizdat.settings"], env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "CARD_STATEMENT_DESCRIPTOR is 5 to 22" in result.stderr
