"""The retention policy and erasure: a checkout never paid loses its email address after
``RETENTION_UNPAID_CHECKOUT_DAYS`` (``manage.py apply_retention``, scheduled), and a supporter who erases their data
over the manage page is deleted at Stripe too (a real localstripe over HTTP) — afterwards nothing of them (address,
customer id, client address) is in any column of any table, while their payments stay for the books."""

import datetime as dt
from decimal import Decimal

import pytest
import stripe
import time_machine
from bs4 import BeautifulSoup
from django.core.management import call_command

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support.actions.contributions import confirm_payment, start_contribution
from support.actions.reminders import request_reminder
from support.models import Contribution, Payment, Reminder, Supporter
from support.receipts import manage_token
from tests.support import localstripe as fixtures
from tests.support.test_card_renewals import subscribed
from tests.support.test_ledger import tables_holding

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

ADDRESS = "erase.card.c41e@example.org"
CLIENT = "203.0.113.149"
START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def offline(email, amount="10", pay=False):
    contribution = start_contribution(
        actor=Actor.reader(),
        amount=Money(Decimal(amount), "EUR"),
        frequency="once",
        method="bank_transfer",
        email=email,
    )
    if pay:
        confirm_payment(actor=Actor.system(), payment_id=contribution.payments.get().pk, transaction_reference="x")
    return contribution


def erase_over_http(client, supporter):
    """The manage page's two clicks: “erase”, then “yes, erase”."""
    url = f"/support/manage/{manage_token(supporter)}/"
    page = client.get(url, REMOTE_ADDR=CLIENT)
    data = {field["name"]: field["value"] for field in soup(page).select_one("form[data-erase-form]").select("input")}
    confirm = client.post(url, data, REMOTE_ADDR=CLIENT)
    form = soup(confirm).select_one("form[data-erase-confirm-form]")
    return client.post(url, {field["name"]: field["value"] for field in form.select("input")}, REMOTE_ADDR=CLIENT)


def test_erasure_deletes_the_customer_at_stripe_and_leaves_nothing_of_the_person(client, localstripe, monkeypatch):
    monkeypatch.setattr("support.actions.reminders.after_commit", lambda *args, **kwargs: None)  # no mail here
    _provider, card = subscribed(localstripe, amount="7", email=ADDRESS)
    gift = offline(ADDRESS, pay=True)
    request_reminder(actor=Actor.reader(), email=ADDRESS, when="month")
    customer_id = card.provider_customer_id
    assert customer_id.startswith("cus_") and localstripe.api.Customer.retrieve(customer_id).id == customer_id
    assert tables_holding(ADDRESS) and tables_holding(customer_id)  # the scan finds what is there

    erased = erase_over_http(client, card.supporter)

    assert erased.status_code == 200
    assert soup(erased).select_one("[data-manage-outcome]")["data-manage-outcome"] == "erased"
    with pytest.raises(stripe.InvalidRequestError) as gone:  # deleted at the provider, its cards with it
        localstripe.api.Customer.retrieve(customer_id)
    assert gone.value.http_status == 404
    for trace in (ADDRESS, "erase.card.c41e", customer_id, CLIENT):
        assert tables_holding(trace) == [], trace
    assert not Supporter.objects.exists() and not Reminder.objects.exists()
    # What the books need stays, anonymous: the amounts, their dates and the provider's payment ids.
    kept = Payment.objects.filter(contribution__in=[card, gift], status="succeeded")
    assert sorted(kept.values_list("amount", flat=True)) == [Decimal("7.00"), Decimal("10.00")]
    assert kept.get(contribution=card).provider_id.startswith(("pi_", "in_", "ch_"))
    assert Contribution.objects.filter(pk__in=[card.pk, gift.pk], supporter=None, provider_customer_id="").count() == 2
    entry = AuditEntry.objects.get(action="supporter.erased")
    assert entry.data["provider_customers_deleted"] == 1


def test_when_stripe_cannot_be_reached_nothing_is_erased_and_the_supporter_is_told(client, localstripe, settings):
    _provider, card = subscribed(localstripe, amount="7", email=ADDRESS)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    response = erase_over_http(client, card.supporter)

    assert response.status_code == 400
    assert "cannot be reached, so nothing has been erased" in soup(response).select_one("[data-manage-message]").text
    assert Supporter.objects.filter(email=ADDRESS).exists()
    assert Contribution.objects.get(pk=card.pk).provider_customer_id == card.provider_customer_id
    assert not AuditEntry.objects.filter(action="supporter.erased").exists()


def test_an_unpaid_checkout_loses_its_address_after_the_retention_period(settings, monkeypatch):
    monkeypatch.setattr("support.actions.reminders.after_commit", lambda *args, **kwargs: None)
    assert "apply_retention" in settings.SCHEDULED_COMMANDS
    assert settings.RETENTION_UNPAID_CHECKOUT_DAYS == 60 and settings.RETENTION_UNCONFIRMED_REMINDER_DAYS == 7
    with time_machine.travel(START, tick=False) as clock:
        abandoned = offline("left.b7@example.org")
        paid = offline("paid.b7@example.org", pay=True)
        shared = offline("twice.b7@example.org", pay=True)
        offline("twice.b7@example.org")  # unpaid, but the address is still that of a paid gift
        request_reminder(actor=Actor.reader(), email="remind.b7@example.org", when="week")
        clock.move_to(START + dt.timedelta(days=30))
        recent = offline("recent.b7@example.org")

        clock.move_to(START + dt.timedelta(days=8))
        call_command("apply_retention", verbosity=0)
        assert not Reminder.objects.exists()  # unconfirmed after a week
        assert Contribution.objects.get(pk=abandoned.pk).supporter is not None  # 8 days: kept

        clock.move_to(START + dt.timedelta(days=60, minutes=1))
        call_command("apply_retention", verbosity=0)

    assert tables_holding("left.b7@example.org") == []
    assert Contribution.objects.get(pk=abandoned.pk).status == "pending"  # still there, anonymous
    assert set(Supporter.objects.values_list("email", flat=True)) == {
        "paid.b7@example.org",
        "twice.b7@example.org",
        "recent.b7@example.org",
    }
    assert Contribution.objects.get(pk=paid.pk).supporter.email == "paid.b7@example.org"
    assert Contribution.objects.filter(supporter__email="twice.b7@example.org").get().pk == shared.pk
    assert Contribution.objects.get(pk=recent.pk).supporter is not None
    assert AuditEntry.objects.filter(action="contribution.address_forgotten").count() == 2
    # A transfer that arrives late still matches its reference.
    assert confirm_payment(actor=Actor.system(), payment_id=abandoned.payments.get().pk, transaction_reference="late")
    assert Contribution.objects.get(pk=abandoned.pk).status == "completed"

    with time_machine.travel(START + dt.timedelta(days=60, minutes=2), tick=False):
        call_command("apply_retention", verbosity=0)  # nothing more to do
    assert AuditEntry.objects.filter(action="contribution.address_forgotten").count() == 2
