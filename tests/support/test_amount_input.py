"""Amounts as people type them, in the reader's language (core.money.parse_amount): the table of what is read as
what and what is refused with which message, then over HTTP through the checkout and the manage page in English and
Russian — an accepted amount starts (or becomes) exactly that Decimal, a refused one is a 400 with its message and
stores nothing."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import translation
from django.utils.functional import lazy

from core.actions import Actor
from core.models import AuditEntry
from core.money import (
    ASCII_DIGITS,
    CURRENCIES,
    FIGURES,
    OTHER_CURRENCY,
    TOO_MANY_DECIMALS,
    AmountError,
    Money,
    amount_for_input,
    parse_amount,
)
from support.actions.contributions import confirm_payment, start_contribution
from support.models import AmountChange, Contribution
from tests.support.test_checkout import checkout_form, contribution_of, errors, pay_path, rows, send
from tests.support.test_manage import form_data, page_url

pytestmark = pytest.mark.django_db

DECIMALS = TOO_MANY_DECIMALS[2]
# Lazy, as the messages it sits among: read in the language of the page it is looked for in.
OTHER_THAN_EUR = lazy(lambda: str(OTHER_CURRENCY) % {"currency": "EUR"}, str)()
NBSP, NARROW_NBSP = "\u00a0", "\u202f"

READ = [
    # plain figures, in both languages
    ("10", "en", "EUR", "10"),
    ("10", "ru", "EUR", "10"),
    ("007", "en", "EUR", "7"),
    ("  25  ", "en", "EUR", "25"),
    # the language's decimal mark, and the other one where it can only be a decimal mark
    ("12.50", "en", "EUR", "12.50"),
    ("12,50", "ru", "EUR", "12.50"),
    ("12.50", "ru", "EUR", "12.50"),
    ("10,50", "en", "EUR", "10.50"),
    ("7,5", "en", "EUR", "7.5"),
    ("0,99", "ru", "RUB", "0.99"),
    # thousands: English commas, spaces of every kind, the other mark when both are there
    ("1,000", "en", "EUR", "1000"),
    ("1,000.50", "en", "EUR", "1000.50"),
    ("1,000,000", "en", "EUR", "1000000"),
    ("1 000", "en", "USD", "1000"),
    ("1 000,50", "ru", "EUR", "1000.50"),
    (f"1{NBSP}000,50", "ru", "RUB", "1000.50"),
    (f"1{NARROW_NBSP}500", "ru", "RUB", "1500"),
    ("1.000,50", "en", "EUR", "1000.50"),
    ("1,000.50", "ru", "EUR", "1000.50"),
    # the chosen currency's code or sign, before or after
    ("€10", "en", "EUR", "10"),
    ("€ 12.50", "en", "EUR", "12.50"),
    ("10 €", "ru", "EUR", "10"),
    ("10 EUR", "en", "EUR", "10"),
    ("eur 10", "en", "EUR", "10"),
    ("$5", "en", "USD", "5"),
    ("£7.77", "en", "GBP", "7.77"),
    ("500 ₽", "ru", "RUB", "500"),
    ("1 500 руб.", "ru", "RUB", "1500"),
    ("500 р.", "ru", "RUB", "500"),
    ("CHF 20", "en", "CHF", "20"),
    ("100 kr", "en", "SEK", "100"),
]

REFUSED = [
    # what Python's Decimal reads but a person does not type
    ("1_000", "en", "EUR", FIGURES),
    ("1e2", "en", "EUR", FIGURES),
    ("1E+2", "ru", "EUR", FIGURES),
    ("NaN", "en", "EUR", FIGURES),
    ("Infinity", "en", "EUR", FIGURES),
    ("-inf", "ru", "EUR", FIGURES),
    ("0x10", "en", "EUR", FIGURES),
    # digits of other scripts
    ("１０", "en", "EUR", ASCII_DIGITS),  # full-width
    ("١٠", "en", "EUR", ASCII_DIGITS),  # Arabic-Indic
    ("۱۰", "ru", "EUR", ASCII_DIGITS),  # Persian
    ("१०", "en", "EUR", ASCII_DIGITS),  # Devanagari
    ("1٠", "en", "EUR", ASCII_DIGITS),
    # signs, nothing, stray marks
    ("-5", "en", "EUR", FIGURES),
    ("+5", "en", "EUR", FIGURES),
    ("\u22125", "ru", "EUR", FIGURES),  # a minus sign
    ("", "en", "EUR", FIGURES),
    ("   ", "ru", "EUR", FIGURES),
    ("10.", "en", "EUR", FIGURES),
    (".50", "en", "EUR", FIGURES),
    ("10,", "ru", "EUR", FIGURES),
    ("1.2.3", "en", "EUR", FIGURES),
    ("10.00.5", "en", "EUR", FIGURES),
    ("1,000.00.5", "en", "EUR", FIGURES),
    ("ten", "en", "EUR", FIGURES),
    ("10 50", "ru", "EUR", FIGURES),  # a space that groups nothing
    ("1  000", "ru", "EUR", FIGURES),
    ("1 000,000", "en", "EUR", FIGURES),  # two kinds of grouping
    ("1234,567", "en", "EUR", FIGURES),  # a first group of four
    ("12,50 ,5", "ru", "EUR", FIGURES),
    ("1" * 41, "en", "EUR", FIGURES),
    # more decimals than the currency has — and the ambiguous ones, refused rather than guessed
    ("10.123", "en", "EUR", DECIMALS),
    ("7,555", "ru", "EUR", DECIMALS),
    ("1,500", "ru", "EUR", DECIMALS),  # 1.5 or 1500?
    ("1.500", "en", "EUR", DECIMALS),
    ("1.500", "ru", "RUB", DECIMALS),
    # another currency than the chosen one
    ("$10", "en", "EUR", OTHER_THAN_EUR),
    ("10 USD", "en", "EUR", OTHER_THAN_EUR),
    ("500 ₽", "ru", "EUR", OTHER_THAN_EUR),
    ("500 руб.", "ru", "EUR", OTHER_THAN_EUR),
    ("€10€", "en", "EUR", FIGURES),
]


@pytest.mark.parametrize(("typed", "language", "currency", "value"), READ)
def test_what_people_type_is_read_as_they_mean_it(typed, language, currency, value):
    amount = parse_amount(typed, language, currency)
    assert amount == Decimal(value) and str(amount) == value  # exactly: no float, no exponent, no lost decimals


@pytest.mark.parametrize(("typed", "language", "currency", "message"), REFUSED)
def test_the_rest_is_refused_with_what_to_type(typed, language, currency, message):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, language, currency)
    with translation.override("en"):
        assert str(refused.value.message) == str(message)


def test_every_currency_has_its_message_for_too_many_decimals():
    assert {currency.exponent for currency in CURRENCIES.values()} <= set(TOO_MANY_DECIMALS)


@pytest.mark.parametrize(
    ("amount", "language", "written"),
    [
        ("10.00", "en", "10"),
        ("10.00", "ru", "10"),
        ("7.50", "en", "7.50"),
        ("7.50", "ru", "7,50"),
        ("1000.05", "ru", "1000,05"),
        ("10000", "en", "10000"),
    ],
)
def test_an_amount_written_into_a_field_reads_back_the_same(amount, language, written):
    assert amount_for_input(Decimal(amount), language) == written
    assert parse_amount(written, language, "EUR") == Decimal(amount)


# --- The checkout, over HTTP ------------------------------------------------------------------------------------------


def other_amount(fields, text):
    return {"amount_EUR": "other", "other_amount_EUR": text, "currency": "EUR", "method": "bank_transfer"} | {
        name: value for name, value in fields.items() if not name.startswith(("amount_", "other_amount_"))
    }


@pytest.mark.parametrize(
    ("query", "typed", "expected"),
    [
        ("frequency=monthly", "1,000", "1000.00"),
        ("frequency=monthly", "10,50", "10.50"),
        ("frequency=monthly", "€12.50", "12.50"),
        ("frequency=monthly", "1 234.56 EUR", "1234.56"),
        ("frequency=monthly&lang=ru", "1 000,50", "1000.50"),
        ("frequency=monthly&lang=ru", f"1{NARROW_NBSP}500", "1500.00"),
        ("frequency=monthly&lang=ru", "12,50 €", "12.50"),
        ("frequency=monthly&lang=ru", "7.50", "7.50"),
        ("frequency=once&lang=ru", f"2{NBSP}500", "2500.00"),
    ],
)
def test_the_checkout_starts_exactly_the_amount_typed(query, typed, expected):
    client, fields = checkout_form(query=query)
    before = Contribution.objects.count()
    contribution = contribution_of(pay_path(client.post("/support/", other_amount(fields, typed))))
    assert Contribution.objects.count() == before + 1
    assert (contribution.amount, contribution.currency) == (Decimal(expected), "EUR")
    assert contribution.payments.get().amount == Decimal(expected)


@pytest.mark.parametrize(
    ("query", "typed", "message"),
    [
        ("frequency=monthly", "1_000", FIGURES),
        ("frequency=monthly", "１０", ASCII_DIGITS),
        ("frequency=monthly", "١٠", ASCII_DIGITS),
        ("frequency=monthly", "1e2", FIGURES),
        ("frequency=monthly", "Infinity", FIGURES),
        ("frequency=monthly", "1.500", DECIMALS),
        ("frequency=monthly", "$10", OTHER_THAN_EUR),
        ("frequency=monthly&lang=ru", "1,500", DECIMALS),
        ("frequency=monthly&lang=ru", "१०", ASCII_DIGITS),
        ("frequency=monthly&lang=ru", "10 50", FIGURES),
        ("frequency=monthly&lang=ru", "500 руб.", OTHER_THAN_EUR),
    ],
)
def test_the_checkout_refuses_the_rest_and_stores_nothing(query, typed, message):
    client, fields = checkout_form(query=query)
    before = rows()
    response = client.post("/support/", other_amount(fields, typed))
    assert response.status_code == 400
    with translation.override(fields["lang"]):
        assert str(message) in errors(response), errors(response)
    assert rows() == before
    # the form comes back with what was typed, to be corrected
    assert BeautifulSoup(response.content, "html.parser").select_one("input[name=other_amount_EUR]")["value"] == typed


def test_a_ladder_value_is_read_the_same_way():
    client, fields = checkout_form(query="frequency=monthly&lang=ru")
    contribution = contribution_of(pay_path(send(client, fields, method="bank_transfer", amount_EUR="20,00")))
    assert contribution.amount == Decimal("20.00")
    client, fields = checkout_form(query="frequency=monthly&lang=ru")
    before = rows()
    assert send(client, fields, method="bank_transfer", amount_EUR="2e1").status_code == 400
    assert rows() == before


@pytest.mark.parametrize(("query", "example"), [("frequency=monthly", "7.50"), ("frequency=monthly&lang=ru", "7,50")])
def test_the_other_amount_field_shows_the_languages_way(client, query, example):
    soup = BeautifulSoup(client.get(f"/support/?{query}").content, "html.parser")
    fields = soup.select("input[name^=other_amount_]")
    assert [field["name"] for field in fields] == ["other_amount_EUR", "other_amount_USD", "other_amount_GBP"]
    for field in fields:  # a plain attribute: the hint needs no script
        assert field["placeholder"] == example and field["inputmode"] == "decimal"


# --- The manage page's new amount, over HTTP ----------------------------------------------------------------------------


def running(language, amount="10", email="amount.reader.5c1e@example.org"):
    contribution = start_contribution(
        actor=Actor.reader(),
        amount=Money(Decimal(amount), "EUR"),
        frequency="monthly",
        method="bank_transfer",
        email=email,
        language=language,
    )
    confirm_payment(actor=Actor.system(), payment_id=contribution.payments.get().pk, transaction_reference="x")
    return contribution


@pytest.mark.parametrize(
    ("language", "shown", "typed", "expected"),
    [
        ("en", "7.50", "1,000", "1000.00"),
        ("en", "7.50", "€12.50", "12.50"),
        ("ru", "7,50", "1 000,50", "1000.50"),
        ("ru", "7,50", f"12,5{NBSP}€", "12.50"),
    ],
)
def test_the_manage_page_takes_the_new_amount_as_the_reader_writes_it(client, language, shown, typed, expected):
    contribution = running(language, amount="7.50")
    url = page_url(contribution.supporter)
    page = client.get(url)
    assert form_data(page, contribution, "form[data-amount-form]")["amount"] == shown  # written the language's way
    response = client.post(url, form_data(page, contribution, "form[data-amount-form]", amount=typed))
    assert response.status_code == 303
    assert Contribution.objects.get(pk=contribution.pk).amount == Decimal(expected)


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("en", "١٢", ASCII_DIGITS),
        ("en", "1_000", FIGURES),
        ("en", "$12", OTHER_THAN_EUR),
        ("ru", "1,500", DECIMALS),
        ("ru", "１２", ASCII_DIGITS),
    ],
)
def test_the_manage_page_refuses_the_rest_and_changes_nothing(client, language, typed, message):
    contribution = running(language)
    url = page_url(contribution.supporter)
    page = client.get(url)
    audited = AuditEntry.objects.count()
    response = client.post(url, form_data(page, contribution, "form[data-amount-form]", amount=typed))
    assert response.status_code == 400
    shown = BeautifulSoup(response.content, "html.parser").select_one("[data-manage-message]").get_text(strip=True)
    with translation.override(language):
        assert shown == str(message)
    assert Contribution.objects.get(pk=contribution.pk).amount == Decimal("10.00")
    assert not AmountChange.objects.exists() and AuditEntry.objects.count() == audited
