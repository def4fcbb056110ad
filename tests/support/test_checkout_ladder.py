"""The amount ladder at /support/: amounts with their currency in the page's language, a suggested amount preselected
(never the bare minimum, never "another amount"), one ladder per currency with its own amounts, and a server that
refuses an amount from another currency's ladder."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client, override_settings

from core.money import CURRENCIES, Money
from support.surfaces import active_campaign
from tests.support.test_checkout import (
    alert,
    contribution_of,
    errors,
    form_fields,
    pay_path,
    rows,
    send,
    soup_of,
)

pytestmark = pytest.mark.django_db


def page(query=""):
    response = Client().get("/support/?" + query)
    assert response.status_code == 200
    return soup_of(response)


def labels(soup, currency):
    """The ladder's amounts as the reader reads them, without "Another amount"."""
    ladder = soup.select_one(f".checkout__for-currency[data-currency={currency}] .checkout__ladder")
    return [
        radio.parent.get_text(" ", strip=True)
        for radio in ladder.select(f"input[name=amount_{currency}]")
        if radio["value"] != "other"
    ]


def checked(soup, currency):
    """(the checked ladder value, the other amount typed in) of ``currency``'s ladder."""
    radio = soup.select_one(f"input[name=amount_{currency}][checked]")
    other = soup.select_one(f"input[name=other_amount_{currency}]")["value"]
    return (radio["value"] if radio else None), other


def chosen_currency(soup):
    return soup.select_one("input[name=currency][checked]")["value"]


def formatted(amounts, currency, language):
    return [Money(Decimal(amount), currency).format(language) for amount in amounts]


# --- What the reader reads ----------------------------------------------------------------------------------------


def test_english_amounts_carry_their_currency_symbol():
    soup = page("frequency=monthly")
    assert labels(soup, "EUR") == ["€5", "€10", "€20"]
    assert labels(soup, "USD") == ["$6", "$12", "$25"]
    assert labels(soup, "GBP") == ["£4", "£8", "£16"]
    assert "At least €2." in soup.select_one(".checkout__for-currency[data-currency=EUR]").get_text(" ", strip=True)


def test_russian_amounts_are_formatted_as_money_formats_them():
    soup = page("frequency=monthly&lang=ru")
    assert soup.html["lang"] == "ru"
    assert labels(soup, "EUR") == formatted(["5", "10", "20"], "EUR", "ru") == ["5\u00a0€", "10\u00a0€", "20\u00a0€"]
    assert labels(soup, "USD") == formatted(["6", "12", "25"], "USD", "ru")
    once = page("frequency=once&lang=ru")
    assert labels(once, "EUR") == ["10\u00a0€", "25\u00a0€", "50\u00a0€"]


def test_no_ladder_shows_a_bare_number():
    for query in ("frequency=monthly", "frequency=once", "frequency=annual", "lang=ru", "frequency=annual&lang=ru"):
        soup = page(query)
        for currency in settings.SUPPORT_CURRENCIES:
            for label in labels(soup, currency):
                assert not re.fullmatch(r"[\d\s.,\u00a0]+", label), (query, label)
                assert CURRENCIES[currency].symbol in label


# --- What is preselected ------------------------------------------------------------------------------------------


def test_the_campaigns_suggestion_is_preselected_in_every_currency():
    soup = page("frequency=monthly")
    assert chosen_currency(soup) == "EUR"
    assert checked(soup, "EUR") == ("10", "")  # the middle of 5, 10, 20 — not the minimum (2), not "other"
    assert checked(soup, "USD") == ("12", "")
    assert checked(soup, "GBP") == ("8", "")
    assert checked(page("frequency=once"), "EUR") == ("25", "")
    assert checked(page("frequency=annual"), "EUR") == ("120", "")
    assert checked(page("lang=ru"), "EUR") == ("10", "")


def test_the_suggestion_follows_the_campaigns_amounts():
    campaign = active_campaign("en")
    campaign.monthly_amounts = "3, 7, 15, 30"
    campaign.save()
    soup = page("frequency=monthly")
    assert labels(soup, "EUR") == ["€3", "€7", "€15", "€30"]
    assert checked(soup, "EUR") == ("15", "")


def test_never_the_bare_minimum_and_never_another_amount_by_default():
    campaign = active_campaign("en")
    for query in ("", "frequency=monthly", "frequency=once", "frequency=annual", "amount=0.5", "amount=ten"):
        soup = page(query)
        for currency in settings.SUPPORT_CURRENCIES:
            value, other = checked(soup, currency)
            assert value not in (None, "other"), (query, currency)
            assert other == ""
        frequency = soup.select_one("input[name=frequency]")["value"]
        low = campaign.min_one_time if frequency == "once" else campaign.min_monthly
        assert Decimal(checked(soup, "EUR")[0]) != low


def test_a_tampered_amount_falls_back_to_the_suggestion_with_a_note():
    soup = page("frequency=monthly&amount=0.5")
    assert "the amount" in soup.select_one(".form-error").get_text()
    assert checked(soup, "EUR") == ("10", "")


def test_the_amount_an_ask_prefilled_is_preselected():
    assert checked(page("frequency=monthly&amount=20&currency=EUR"), "EUR") == ("20", "")
    assert checked(page("frequency=once&amount=50"), "EUR") == ("50", "")
    off_the_ladder = page("frequency=monthly&amount=7.5")
    assert checked(off_the_ladder, "EUR") == ("other", "7.50")  # what the link asked for, as another amount
    assert checked(off_the_ladder, "USD") == ("12", "")  # the other currencies keep their suggestion


def test_an_ask_link_in_another_offered_currency_preselects_it():
    soup = page("frequency=monthly&amount=25&currency=USD")
    assert soup.select_one(".form-error") is None
    assert chosen_currency(soup) == "USD"
    assert checked(soup, "USD") == ("25", "")
    assert checked(soup, "EUR") == ("10", "")


def test_the_prefilled_choice_submits_as_it_stands():
    client = Client()
    fields = form_fields(client.get("/support/?frequency=monthly&amount=20"))
    contribution = contribution_of(pay_path(send(client, fields, method="bank_transfer")))
    assert (contribution.amount, contribution.currency) == (Decimal("20.00"), "EUR")


# --- One ladder per currency ----------------------------------------------------------------------------------------


@override_settings(
    SUPPORT_AMOUNTS={"USD": {"monthly": "7, 14, 1, 28", "once": "30, 15"}, "GBP": {"monthly": "not, numbers"}}
)
def test_each_currency_has_the_amounts_the_newsroom_set():
    soup = page("frequency=monthly")
    assert labels(soup, "USD") == ["$7", "$14", "$28"]  # in order, without what is below the minimum (€2 → 2)
    assert checked(soup, "USD") == ("14", "")
    assert labels(soup, "GBP") == ["£5", "£10", "£20"]  # an entry it cannot read: the campaign's numbers
    assert labels(soup, "EUR") == ["€5", "€10", "€20"]  # the campaign's own currency: the campaign's amounts
    assert labels(page("frequency=once"), "USD") == ["$15", "$30"]
    assert labels(page("frequency=annual"), "USD") == ["$84", "$168", "$336"]  # monthly × 12


@override_settings(SUPPORT_AMOUNTS={})
def test_a_currency_the_setting_does_not_name_uses_the_campaigns_numbers():
    assert labels(page("frequency=monthly"), "USD") == ["$5", "$10", "$20"]


def test_choosing_another_currency_submits_its_own_ladder():
    client = Client()
    fields = form_fields(client.get("/support/?frequency=monthly"))
    assert (fields["amount_EUR"], fields["amount_USD"], fields["amount_GBP"]) == ("10", "12", "8")
    contribution = contribution_of(pay_path(send(client, fields, currency="USD", method="bank_transfer")))
    assert (contribution.amount, contribution.currency) == (Decimal("12.00"), "USD")
    fields = form_fields(client.get("/support/?frequency=once"))
    contribution = contribution_of(pay_path(send(client, fields, currency="GBP", amount_GBP="40", method="crypto")))
    assert (contribution.amount, contribution.currency, contribution.frequency) == (Decimal("40.00"), "GBP", "once")


def test_another_amount_in_another_currency():
    client = Client()
    fields = form_fields(client.get("/support/?frequency=monthly"))
    changes = {"currency": "GBP", "amount_GBP": "other", "other_amount_GBP": "9,50", "method": "bank_transfer"}
    contribution = contribution_of(pay_path(send(client, fields, **changes)))
    assert (contribution.amount, contribution.currency) == (Decimal("9.50"), "GBP")


def test_only_the_chosen_currencys_ladder_is_read():
    client = Client()
    fields = form_fields(client.get("/support/?frequency=monthly"))
    changes = {"currency": "USD", "amount_EUR": "nonsense", "other_amount_EUR": "x" * 20, "method": "bank_transfer"}
    contribution = contribution_of(pay_path(send(client, fields, **changes)))
    assert (contribution.amount, contribution.currency) == (Decimal("12.00"), "USD")


@pytest.mark.parametrize(
    "changes",
    [
        {"currency": "USD", "amount_USD": "10"},  # the euro ladder's amount, sent as a dollar one
        {"currency": "GBP", "amount_GBP": "25"},
        {"currency": "EUR", "amount_EUR": "12"},
        {"currency": "USD", "amount_USD": None, "other_amount_USD": None, "amount": "10"},  # the plain field too
    ],
)
def test_an_amount_from_another_currencys_ladder_is_refused_and_creates_nothing(changes):
    client = Client()
    fields = form_fields(client.get("/support/?frequency=monthly"))
    fields = {name: value for name, value in fields.items() if not name.startswith(("amount_", "other_amount_"))}
    fields.update({"amount_EUR": "10", "amount_USD": "12", "amount_GBP": "8", "method": "bank_transfer"})
    before = rows()
    response = send(client, fields, **changes)
    assert response.status_code == 400
    assert alert(response) == "Please correct the form below. Nothing has been saved."
    currency = changes["currency"]
    amount = Money(Decimal(changes.get(f"amount_{currency}") or changes["amount"]), currency).format()
    expected = f"{amount} is not one of the amounts offered in {currency}."
    assert any(expected in error for error in errors(response)), errors(response)
    assert rows() == before
    again = soup_of(response)
    assert chosen_currency(again) == currency  # the form comes back as sent, ready to be corrected


def test_the_same_amount_typed_as_another_amount_is_taken():
    client = Client()
    fields = form_fields(client.get("/support/?frequency=monthly"))
    changes = {"currency": "USD", "amount_USD": "other", "other_amount_USD": "10", "method": "bank_transfer"}
    contribution = contribution_of(pay_path(send(client, fields, **changes)))
    assert (contribution.amount, contribution.currency) == (Decimal("10.00"), "USD")


def test_the_mismatch_message_is_in_russian_on_the_russian_form():
    client = Client()
    fields = form_fields(client.get("/support/?lang=ru"))
    response = send(client, fields, currency="USD", amount_USD="10", method="bank_transfer")
    assert response.status_code == 400
    assert any("10\u00a0$" in error and "USD" in error for error in errors(response)), errors(response)
    assert not any("is not one of the amounts" in error for error in errors(response))


# --- Shown without JavaScript -------------------------------------------------------------------------------------


def test_the_stylesheet_shows_the_chosen_currencys_ladder_for_every_currency():
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    for code in CURRENCIES:
        rule = f".checkout-form:has(input[name=currency][value={code}]:checked) .checkout__for-currency[data-currency={code}]"
        assert rule in css, code


def test_the_form_carries_no_inline_style_or_script():
    soup = page("frequency=monthly")
    assert soup.select("[style]") == [] and soup.select("style") == []
    assert all(script.get("src") for script in soup.select("script"))
