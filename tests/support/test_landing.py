"""Every Support link leads to /support/ with a prefill that is validated, never trusted."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

pytestmark = pytest.mark.django_db


def landing(**query):
    response = Client().get("/support/", query)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    return BeautifulSoup(response.content, "html.parser")


def test_a_valid_prefill_is_shown():
    soup = landing(frequency="monthly", amount="10", currency="EUR", variant="appeal-favour", article="5")
    assert "You chose to give €10 a month." in soup.get_text(" ", strip=True)
    assert soup.select_one(".form-error") is None


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"amount": "0.5"}, "the amount"),
        ({"amount": "999999999"}, "the amount"),
        ({"amount": "NaN"}, "the amount"),
        ({"amount": "-5"}, "the amount"),
        ({"frequency": "hourly"}, "the frequency"),
        ({"currency": "XYZ"}, "the currency"),
        ({"variant": "made-up"}, "origin"),
    ],
)
def test_a_tampered_prefill_is_reset_with_a_note(query, problem):
    soup = landing(**query)
    assert problem in soup.select_one(".form-error").get_text()
    text = soup.get_text(" ", strip=True)
    assert "You chose to give €2 a month." in text or "You chose to give €5 once." in text


def test_one_time_uses_the_one_time_minimum():
    assert "You chose to give €5 once." in landing(frequency="once", amount="1").get_text(" ", strip=True)


def test_russian_landing():
    soup = landing(lang="ru")
    assert soup.html["lang"] == "ru"
