"""Every Support link leads to the checkout at /support/ with a prefill that is validated, never trusted."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

pytestmark = pytest.mark.django_db


def landing(**query):
    response = Client().get("/support/", query)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    return BeautifulSoup(response.content, "html.parser")


def chosen(soup):
    """(frequency, amount, currency) as the form stands: the chosen currency's checked amount, or the other amount
    typed in."""
    form = soup.select_one("form.checkout-form")
    frequency = form.select_one("input[name=frequency]")["value"]
    currency = form.select_one("input[name=currency][checked]")["value"]
    amount = form.select_one(f"input[name=amount_{currency}][checked]")["value"]
    if amount == "other":
        amount = form.select_one(f"input[name=other_amount_{currency}]")["value"]
    return frequency, amount, currency


def test_a_valid_prefill_is_shown(article):
    soup = landing(frequency="monthly", amount="10", currency="EUR", variant="appeal-favour", article=str(article.pk))
    assert chosen(soup) == ("monthly", "10", "EUR")
    assert soup.select_one("input[name=amount_EUR][value='10']").has_attr("checked")  # one of the offered amounts
    assert soup.select_one("input[name=variant]")["value"] == "appeal-favour"
    assert soup.select_one("input[name=article]")["value"] == str(article.pk)
    assert soup.select_one(".form-error") is None


def test_an_amount_off_the_ladder_is_the_other_amount():
    assert chosen(landing(frequency="monthly", amount="7.5")) == ("monthly", "7.50", "EUR")


def test_another_offered_currency_is_kept():
    soup = landing(frequency="once", amount="25", currency="USD")
    assert chosen(soup) == ("once", "25", "USD")
    assert soup.select_one(".form-error") is None


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"amount": "0.5"}, "the amount"),
        ({"amount": "999999999"}, "the amount"),
        ({"amount": "NaN"}, "the amount"),
        ({"amount": "-5"}, "the amount"),
        ({"amount": "1e99"}, "the amount"),
        ({"frequency": "hourly"}, "the frequency"),
        ({"currency": "XYZ"}, "the currency"),
        ({"variant": "made-up"}, "origin"),
    ],
)
def test_a_tampered_prefill_is_reset_with_a_note(query, problem):
    soup = landing(**query)
    assert problem in soup.select_one(".form-error").get_text()
    assert chosen(soup) == ("monthly", "10", "EUR")  # the usual choice: the campaign's suggestion
    assert soup.select_one("input[name=variant]") is None


def test_one_time_below_the_one_time_minimum_gets_the_one_time_suggestion():
    assert chosen(landing(frequency="once", amount="1")) == ("once", "25", "EUR")


def test_russian_landing():
    soup = landing(lang="ru")
    assert soup.html["lang"] == "ru"
    assert soup.select_one("input[name=lang]")["value"] == "ru"


def test_a_russian_articles_link_opens_the_russian_checkout(russian_article):
    soup = landing(
        frequency="monthly", amount="5", currency="EUR", variant="ru-appeal-favour", article=russian_article.pk
    )
    assert soup.html["lang"] == "ru"
    assert soup.select_one(".form-error") is None  # its variant belongs to the Russian campaign
    assert soup.select_one("input[name=variant]")["value"] == "ru-appeal-favour"
