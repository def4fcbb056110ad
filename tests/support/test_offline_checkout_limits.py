"""Bank transfer and crypto checkouts are limited too, through the checkout form over HTTP: per client address and per
email address within a window, counted for both methods together, and across the site per minute. A refused start
stores no contribution, payment or supporter and shows the form again in the reader's language; a reader starting
one or two goes through; card checkouts keep their own allowance."""

import pytest
from django.test import Client, override_settings

from support.models import Contribution, Payment, Supporter
from tests.support.test_card_checkout_limits import PROXY, checkout, one_minute, reader_at  # noqa: F401
from tests.support.test_checkout import form_fields, pay_path, send, soup_of

pytestmark = pytest.mark.django_db

TESTER = "203.0.113.40"


def stored():
    return Contribution.objects.count(), Payment.objects.count(), Supporter.objects.count()


def refused_with_the_form(response, status):
    assert response.status_code == status, response.content[:300]
    page = soup_of(response)
    assert "Nothing has been saved" in page.select_one("[role=alert]").get_text(" ", strip=True)
    form = page.select_one("form.checkout-form[method=post][action='/support/']")
    assert form is not None and form.select_one("input[name=token]")["value"]
    assert "no-store" in response["Cache-Control"]
    return page


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_the_eleventh_start_from_one_address_by_bank_or_crypto_is_refused_and_stores_nothing():
    tester = reader_at(TESTER)
    for n in range(10):  # bank transfer and crypto share the allowance
        assert pay_path(checkout(tester, method="bank_transfer" if n % 2 else "crypto"))
    before = stored()

    refused = checkout(tester, method="bank_transfer", email="new.person@example.org")

    refused_with_the_form(refused, 429)
    assert stored() == before
    assert pay_path(checkout(reader_at("203.0.113.41"), method="bank_transfer"))  # another address is not held back


def test_the_sixth_start_with_one_email_address_is_refused_from_any_address():
    for n in range(5):
        assert pay_path(
            checkout(Client(REMOTE_ADDR=f"192.0.2.{n + 10}"), method="crypto", email="Transfer@Example.org")
        )
    before = stored()
    refused_with_the_form(
        checkout(Client(REMOTE_ADDR="192.0.2.99"), method="bank_transfer", email="transfer@example.org"), 429
    )
    assert stored() == before


def test_over_the_site_wide_limit_a_start_waits_a_minute(settings, one_minute):  # noqa: F811
    settings.OFFLINE_STARTS_SITEWIDE = 3
    for n in range(3):
        assert pay_path(checkout(Client(REMOTE_ADDR=f"198.18.0.{n + 1}"), method="bank_transfer"))
    before = stored()

    refused = checkout(Client(REMOTE_ADDR="198.18.0.50"), method="bank_transfer")

    refused_with_the_form(refused, 503)
    assert refused["Retry-After"] == "60"
    assert stored() == before


def test_the_refusal_speaks_the_readers_language(settings):
    settings.OFFLINE_STARTS_PER_ADDRESS = 1
    client = Client(REMOTE_ADDR="198.18.1.7")
    page = client.get("/support/?lang=ru&frequency=once&amount=500&currency=EUR")
    assert page.status_code == 200
    assert pay_path(send(client, form_fields(page), method="bank_transfer"))
    again = send(
        client, form_fields(client.get("/support/?lang=ru&frequency=once&amount=500&currency=EUR")), method="crypto"
    )
    assert again.status_code == 429
    alert = soup_of(again).select_one("[role=alert]").get_text(" ", strip=True)
    assert "Nothing has been saved" not in alert and alert  # the Russian sentence, not the English one


def test_a_limit_of_zero_is_off(settings):
    settings.OFFLINE_STARTS_PER_ADDRESS = 0
    settings.OFFLINE_STARTS_SITEWIDE = 0
    client = Client(REMOTE_ADDR="198.18.2.9")
    for _n in range(12):
        assert pay_path(checkout(client, method="bank_transfer"))
    assert Contribution.objects.filter(method="bank_transfer").count() >= 12
