"""After paying: thanks that tell the reader script this browser belongs to a supporter, and, after a one-time gift,
an offer to make it monthly."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from core.actions import Actor
from core.money import Money
from support.actions.contributions import confirm_payment, start_contribution

pytestmark = pytest.mark.django_db


def paid(frequency):
    contribution = start_contribution(
        actor=Actor.reader(),
        amount=Money(Decimal(10), "EUR"),
        frequency=frequency,
        method="bank_transfer",
        arm="appeal-favour",
        article_id=7,
    )
    confirm_payment(actor=Actor.system("test"), payment_id=contribution.payments.get().pk)
    return contribution


def thanks_page(contribution):
    response = Client().get(f"/support/pay/{contribution.public_id}/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_a_one_time_gift_is_thanked_and_offered_a_monthly_follow_up():
    soup = thanks_page(paid("once"))
    assert soup.select_one("[data-sz-mark-supporter]") is not None
    offer = soup.select_one(".thanks-page__monthly a")
    assert offer["href"] == "/support/?frequency=monthly&currency=EUR&variant=appeal-favour&article=7"
    follow = Client().get(offer["href"])
    assert follow.status_code == 200 and "Set-Cookie" not in follow.headers


def test_a_monthly_gift_is_not_offered_monthly_again():
    soup = thanks_page(paid("monthly"))
    assert soup.select_one("[data-sz-mark-supporter]") is not None
    assert soup.select_one(".thanks-page__monthly") is None
