"""Card checkouts and card testers, through the checkout form over HTTP against a real localstripe: a client address
or an email address blocked after its declines starts nothing; starting card checkouts is limited per client address
(an IPv6 address by its /64), per email address and across the site, and a refused start stores no contribution,
payment or supporter and creates nothing at Stripe; the site-wide limit is an audit entry and one mail to staff; a
reader who tries a few times, or a household behind one address, goes through; and even a checkout that goes through
creates nothing at Stripe until the card step asks for it."""

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings

from core.models import AuditEntry
from support.cards import state as cards
from support.models import Contribution, Payment, Supporter
from tests.support import localstripe as fixtures
from tests.support.localstripe import CARD_DECLINED_ON_CHARGE
from tests.support.test_card_breaker import Readers, prepare_path
from tests.support.test_checkout import contribution_of, form_fields, pay_path, send, soup_of

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # nginx on the same machine, as the shipped configuration has it
TESTER = "198.51.100.23"
READER = "198.51.100.24"
CHECKOUT = "/support/?frequency=once&amount=10&currency=EUR"


@pytest.fixture
def behind_proxy():
    with override_settings(TRUSTED_PROXIES=[PROXY]):
        yield


@pytest.fixture
def one_minute():
    """The clock stands still, so that everything the test sends falls within the site-wide limit's one minute."""
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):
        yield


@pytest.fixture
def readers(localstripe, django_capture_on_commit_callbacks):
    return Readers(localstripe, django_capture_on_commit_callbacks)


def reader_at(address):
    """A browser whose requests reach us through nginx from ``address``."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def checkout(client, method="card", email="", **changes):
    """Load the form, as a browser does, and send it with ``method`` and ``email``."""
    page = client.get(CHECKOUT)
    assert page.status_code == 200
    return send(client, form_fields(page), method=method, email=email, **changes)


def customers(localstripe):
    return len(localstripe.api.Customer.list(limit=100)["data"])


def stored():
    return Contribution.objects.count(), Payment.objects.count(), Supporter.objects.count()


def assert_refused_with_the_form(response, status, words):
    assert response.status_code == status, response.content[:300]
    page = soup_of(response)
    alert = page.select_one("[role=alert]").get_text(" ", strip=True)
    assert words in alert and "bank transfer or crypto" in alert
    form = page.select_one("form.checkout-form[method=post][action='/support/']")
    assert form is not None  # the form again, with a fresh token, nothing chosen as the way to pay
    assert form.select_one("input[name=token]")["value"]
    assert form.select_one("input[name=method][checked]") is None
    assert "no-store" in response["Cache-Control"]


# --- blocked sources


def test_a_client_address_blocked_after_its_declines_starts_no_card_checkout(readers, behind_proxy):
    for _n in range(cards.CARD_FAILURE_LIMIT):
        _contribution, declined = readers.attempt(CARD_DECLINED_ON_CHARGE, address=PROXY, forwarded_for=TESTER)
        assert declined.json()["status"] == "declined"
    before, at_stripe = stored(), customers(readers.localstripe)

    refused = checkout(reader_at(TESTER), email="tester@example.net")

    assert_refused_with_the_form(refused, 429, "too many declined card attempts")
    assert stored() == before
    assert customers(readers.localstripe) == at_stripe
    # a header of its own changes nothing: the proxy appended the address it saw
    assert checkout(reader_at(f"203.0.113.77, {TESTER}")).status_code == 429
    # the same address may still give by bank transfer; another reader pays by card as usual
    assert contribution_of(pay_path(checkout(reader_at(TESTER), method="bank_transfer"))).method == "bank_transfer"
    assert contribution_of(pay_path(checkout(reader_at(READER)))).method == "card"


def test_an_email_address_blocked_after_its_declines_starts_nothing_from_any_address(readers, behind_proxy):
    for _n in range(cards.CARD_FAILURE_LIMIT):  # a new client address each time: only the email adds up
        _contribution, declined = readers.attempt(CARD_DECLINED_ON_CHARGE, email="tester@example.net")
        assert declined.json()["status"] == "declined"
    before = stored()

    refused = checkout(reader_at("192.0.2.200"), email="Tester@Example.NET")

    assert_refused_with_the_form(refused, 429, "too many declined card attempts")
    assert stored() == before
    assert pay_path(checkout(reader_at("192.0.2.200"), email="reader@example.org"))


# --- limits on starting


def test_the_eleventh_card_checkout_from_one_address_in_an_hour_is_refused_and_creates_nothing(
    localstripe, behind_proxy
):
    tester = reader_at(TESTER)
    for n in range(10):  # a household behind one address, each with an address of their own, or none
        assert pay_path(checkout(tester, email=f"person{n % 3}@example.org" if n % 2 else ""))
    before = stored()

    refused = checkout(tester, email="someone.else@example.org")

    assert_refused_with_the_form(refused, 429, "started many times")
    assert stored() == before
    assert customers(localstripe) == 0  # and not one of the ten made a customer at Stripe either
    # bank transfer is not limited; another address is not held back
    assert pay_path(checkout(tester, method="bank_transfer"))
    assert pay_path(checkout(reader_at(READER)))


def test_an_ipv6_client_counts_by_its_network(localstripe, settings):
    settings.CARD_STARTS_PER_ADDRESS = 3
    for host in range(1, 4):  # one machine, three of the many addresses of its /64
        assert pay_path(checkout(Client(REMOTE_ADDR=f"2001:db8:5:7::{host:x}")))
    before = stored()

    assert checkout(Client(REMOTE_ADDR="2001:db8:5:7::ffff")).status_code == 429
    assert stored() == before
    assert pay_path(checkout(Client(REMOTE_ADDR="2001:db8:5:8::1")))  # the next network is someone else


def test_the_sixth_card_checkout_with_one_email_address_is_refused_from_any_address(localstripe):
    for n in range(5):  # case and surrounding spaces make no other address
        email = "  Gift.Giver@Example.org " if n % 2 else "gift.giver@example.org"
        assert pay_path(checkout(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), email=email))
    before = stored()

    refused = checkout(Client(REMOTE_ADDR="192.0.2.99"), email="GIFT.GIVER@example.org")

    assert_refused_with_the_form(refused, 429, "started many times")
    assert stored() == before
    assert pay_path(checkout(Client(REMOTE_ADDR="192.0.2.99"), email="another.giver@example.org"))


def test_the_site_wide_limit_turns_card_checkouts_away_is_audited_once_and_mails_staff_once(
    localstripe, settings, mailbox, django_capture_on_commit_callbacks, one_minute
):
    settings.CARD_STARTS_SITEWIDE = 4
    for n in range(4):
        assert pay_path(checkout(Client(REMOTE_ADDR=f"203.0.113.{n + 1}")))
    before = stored()

    for n in range(3):  # a crowd of addresses, as a tester with many of them
        with django_capture_on_commit_callbacks(execute=True):
            refused = checkout(Client(REMOTE_ADDR=f"203.0.113.{n + 50}"))
        assert_refused_with_the_form(refused, 503, "taking no new payments for a minute")
        assert refused["Retry-After"] == "60"

    assert stored() == before
    entry = AuditEntry.objects.get(action="card.starts_limited")
    assert (entry.actor_kind, entry.actor_id) == ("system", "card_defence")
    assert entry.data == {"limit": 4, "window_seconds": 60, "quiet_seconds": cards.STARTS_ALERT_SECONDS}
    assert len(mailbox.messages) == 1
    alert = mailbox.messages[0]
    assert alert["Subject"] == "Card checkouts are being turned away"
    assert "revenue@samizdat.example" in alert.envelope_to
    body = alert.get_body(("plain",)).get_content()
    assert "more than 4 card checkouts a minute" in body and "/admin/support/card/" in body
    # no pause: card is still offered (for the next minute), and bank transfer was never limited
    assert not cards.card_paused()
    card = soup_of(Client().get(CHECKOUT)).select_one("input[name=method][value=card]")
    assert not card.has_attr("disabled")
    assert pay_path(checkout(Client(REMOTE_ADDR="203.0.113.90"), method="bank_transfer"))


def test_one_source_over_its_own_limit_uses_up_nothing_of_the_site_wide_limit(localstripe, settings, one_minute):
    settings.CARD_STARTS_PER_ADDRESS = 2
    settings.CARD_STARTS_SITEWIDE = 5
    tester = Client(REMOTE_ADDR=TESTER)
    outcomes = [checkout(tester).status_code for _n in range(12)]
    assert outcomes == [303, 303] + [429] * 10
    for n in range(3):  # the site has taken two starts of five: other readers still start theirs
        assert pay_path(checkout(Client(REMOTE_ADDR=f"192.0.2.{n + 10}")))
    assert not AuditEntry.objects.filter(action="card.starts_limited").exists()


# --- honest readers


def test_a_reader_who_tries_a_few_times_and_sends_one_form_twice_goes_through_up_to_the_limit(localstripe):
    reader = Client(REMOTE_ADDR=READER)
    for amount in ("5", "12", "20"):  # changed their mind twice
        assert pay_path(checkout(reader, email="reader@example.org", amount_EUR="other", other_amount_EUR=amount))
    page = reader.get(CHECKOUT)
    fields = form_fields(page)
    first = pay_path(send(reader, fields, method="card", email="reader@example.org"))
    for _n in range(10):  # a double click, and reloads that send the same form again, start nothing more
        assert pay_path(send(reader, fields, method="card", email="reader@example.org")) == first
    assert pay_path(checkout(reader, email="reader@example.org"))  # and once more: the fifth with one address
    assert Contribution.objects.filter(method="card").count() == 5
    # only a sixth start with the same address within the hour is one too many
    assert checkout(reader, email="reader@example.org").status_code == 429
    assert Contribution.objects.filter(method="card").count() == 5


def test_a_card_checkout_creates_nothing_at_stripe_until_the_card_step_asks(localstripe):
    contribution = contribution_of(pay_path(checkout(Client(REMOTE_ADDR=READER), email="reader@example.org")))
    assert (contribution.status, contribution.provider_customer_id) == ("pending", "")
    assert customers(localstripe) == 0

    prepared = Client(REMOTE_ADDR=READER).post(prepare_path(contribution))

    assert prepared.status_code == 200 and prepared.json()["client_secret"]
    contribution.refresh_from_db()
    customer = localstripe.api.Customer.retrieve(contribution.provider_customer_id)
    assert customer["email"] is None  # the supporter's address never goes to Stripe
    assert customers(localstripe) == 1
    Client(REMOTE_ADDR=READER).post(prepare_path(contribution))  # the page loaded again: the same customer
    assert customers(localstripe) == 1
