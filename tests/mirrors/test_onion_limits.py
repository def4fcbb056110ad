"""Limits for the onion's readers, who all arrive from 127.0.0.1 through the local tor and nginx: they are counted in
one onion bucket with a larger allowance, never by that address, and sessions keep their own limits — 50 declined
cards through the onion trip the onion bucket without blocking a clearnet reader or a second onion session (against
a real localstripe). A clearnet client cannot join the bucket by sending the onion's Host. Mails asked for by the
onion (the reminder's confirmation, the manage link) link to the onion."""

from decimal import Decimal

import pytest
from django.test import Client, RequestFactory, override_settings

from core.actions import Actor
from core.client_address import ONION, ONION_SHARE, client_address
from core.models import AuditEntry
from core.money import Money
from support.actions.contributions import confirm_payment, start_contribution
from support.cards import state as cards
from support.reminders import IP_LIMIT
from tests.mirrors.onion import canonical_host, no_onion, onion
from tests.support import localstripe as fixtures
from tests.support.conftest import links_in, mailbox, path_of, smtp_server
from tests.support.localstripe import CARD_DECLINED_ON_CHARGE, CARD_OK
from tests.support.test_card_breaker import Readers, charge_path

__all__ = ["mailbox", "no_onion", "onion", "smtp_server"]  # fixtures

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

CLEARNET_READER = "198.51.100.61"


def request_from(host, address, **headers):
    return RequestFactory().get("/support/", HTTP_HOST=host, REMOTE_ADDR=address, **headers)


# --- The onion bucket


def test_the_onion_from_this_machine_is_one_bucket_and_a_clearnet_client_keeps_its_address(onion, settings):
    assert client_address(request_from(onion, "127.0.0.1")) == ONION
    assert client_address(request_from(f"{onion}:80", "::1")) == ONION
    # Sending the onion's Host from elsewhere gets nobody into the onion's bucket.
    assert client_address(request_from(onion, CLEARNET_READER)) == CLEARNET_READER

    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # production: nginx in front
    # nginx's onion server passes no X-Forwarded-For (or "unix:" for a socket): the peer is nginx itself
    assert client_address(request_from(onion, "127.0.0.1")) == ONION
    assert client_address(request_from(onion, "127.0.0.1", HTTP_X_FORWARDED_FOR="unix:")) == ONION
    # the clearnet server appends the address it saw, and that one counts, whatever the client wrote before it
    forwarded = f"127.0.0.1, {CLEARNET_READER}"
    assert client_address(request_from(onion, "127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)) == CLEARNET_READER
    assert client_address(request_from(canonical_host(settings), "127.0.0.1")) == "127.0.0.1"


def test_without_an_onion_localhost_is_just_an_address(no_onion, settings):
    assert client_address(request_from(canonical_host(settings), "127.0.0.1")) == "127.0.0.1"


def _remind(client, n, capture):
    with capture(execute=True):
        return client.post("/support/remind/", {"email": f"onion.reader.{n}@example.org", "when": "week"})


def test_reminders_by_the_onion_share_a_larger_allowance_and_their_mail_links_lead_there(
    onion, settings, mailbox, django_capture_on_commit_callbacks
):
    clearnet = Client(HTTP_HOST=canonical_host(settings), REMOTE_ADDR=CLEARNET_READER)
    for n in range(IP_LIMIT):
        assert _remind(clearnet, n, django_capture_on_commit_callbacks).status_code == 200
    assert _remind(clearnet, IP_LIMIT, django_capture_on_commit_callbacks).status_code == 429
    assert all(link.startswith(settings.CANONICAL_URL + "/") for link in links_in(mailbox.messages[0]))

    mailbox.messages.clear()
    tor = Client(HTTP_HOST=onion, REMOTE_ADDR="127.0.0.1")
    for n in range(IP_LIMIT + 1):  # more than one address may ask: the onion stands for many readers
        assert _remind(tor, 100 + n, django_capture_on_commit_callbacks).status_code == 200
    links = links_in(mailbox.messages[0])
    assert links and all(link.startswith(f"http://{onion}/support/remind/") for link in links)
    # the link works where it leads
    assert tor.get(path_of(links[0])).status_code == 200

    # …but not without end: ONION_SHARE times one address's
    for n in range(IP_LIMIT + 1, IP_LIMIT * ONION_SHARE):
        assert _remind(tor, 100 + n, django_capture_on_commit_callbacks).status_code == 200
    assert _remind(tor, 999, django_capture_on_commit_callbacks).status_code == 429
    assert _remind(clearnet, 1000, django_capture_on_commit_callbacks).status_code == 429  # its own count, still


def test_a_manage_link_asked_for_by_the_onion_leads_to_the_onion(
    onion, settings, mailbox, django_capture_on_commit_callbacks
):
    email = "onion.supporter.5e1@example.org"
    contribution = start_contribution(
        actor=Actor.reader(),
        amount=Money(Decimal("10"), "EUR"),
        frequency="monthly",
        method="bank_transfer",
        email=email,
    )
    confirm_payment(actor=Actor.system(), payment_id=contribution.payments.get().pk, transaction_reference="x")
    tor = Client(HTTP_HOST=onion, REMOTE_ADDR="127.0.0.1")
    mailbox.messages.clear()  # the receipt
    with django_capture_on_commit_callbacks(execute=True):
        assert tor.post("/support/manage/", {"email": email}).status_code == 200

    (message,) = mailbox.messages
    (link,) = [link for link in links_in(message) if "/support/manage/" in link]
    assert link.startswith(f"http://{onion}/support/manage/")
    page = tor.get(path_of(link))
    assert page.status_code == 200 and contribution.reference in page.content.decode()


# --- Card testing through the onion


class OnionCards(Readers):
    """Card attempts as the pay page makes them, by the onion (127.0.0.1, the onion's Host) or from a clearnet
    address on the canonical host."""

    def __init__(self, localstripe, capture, onion, canonical):
        super().__init__(localstripe, capture)
        self.onion, self.canonical = onion, canonical

    def charge(self, contribution, number, *, by_onion=True):
        setup = self.localstripe.confirmed_setup(self.provider, contribution, number=number)
        if by_onion:
            client = Client(HTTP_HOST=self.onion, REMOTE_ADDR="127.0.0.1")
        else:
            client = Client(HTTP_HOST=self.canonical, REMOTE_ADDR=CLEARNET_READER)
        with self.capture(execute=True):
            response = client.post(charge_path(contribution), {"setup_intent": setup}, secure=not by_onion)
        return response


@pytest.fixture
def onion_cards(localstripe, django_capture_on_commit_callbacks, onion, settings):
    # The site-wide breaker (its own tests) would pause every card after this many declines: here the limits per
    # source are what is watched.
    with override_settings(CARD_BREAKER_MIN_FAILURES=1000):
        yield OnionCards(localstripe, django_capture_on_commit_callbacks, onion, canonical_host(settings))


def onion_bucket_blocks():
    return AuditEntry.objects.filter(action="card.blocked", data__failures=cards.failure_limit(cards.ONION_KEY))


def test_fifty_declines_through_the_onion_trip_its_bucket_but_lock_out_no_other_reader(onion_cards):
    bucket = cards.failure_limit(cards.ONION_KEY)
    assert bucket == 50
    sessions = bucket // cards.CARD_FAILURE_LIMIT
    for n in range(sessions):  # a tester starting one contribution after another
        tested = onion_cards.started()
        for _attempt in range(cards.CARD_FAILURE_LIMIT):
            response = onion_cards.charge(tested, CARD_DECLINED_ON_CHARGE)
            assert response.status_code == 200 and response.json()["status"] == "declined"
        # each session has its own limit: this one is done
        assert onion_cards.charge(tested, CARD_OK).status_code == 429
        if n < sessions - 1:
            assert not onion_bucket_blocks().exists()  # no onion reader was refused because of this tester so far
    assert onion_bucket_blocks().count() == 1
    assert cards.blocks_in_force()["client_address"] == 1  # the onion bucket, which staff see and may lift
    assert not cards.card_paused()

    clearnet = onion_cards.started()
    assert onion_cards.charge(clearnet, CARD_OK, by_onion=False).json() == {"status": "succeeded"}
    second = onion_cards.started()
    paid = onion_cards.charge(second, CARD_OK)
    assert paid.status_code == 200 and paid.json() == {"status": "succeeded"}

    # While the bucket is blocked, an onion session has one decline, not five.
    third = onion_cards.started()
    assert onion_cards.charge(third, CARD_DECLINED_ON_CHARGE).json()["status"] == "declined"
    assert onion_cards.charge(third, CARD_OK).status_code == 429
    # and a clearnet reader's session keeps its five
    elsewhere = onion_cards.started()
    for _attempt in range(2):
        assert onion_cards.charge(elsewhere, CARD_DECLINED_ON_CHARGE, by_onion=False).json()["status"] == "declined"
    assert onion_cards.charge(elsewhere, CARD_OK, by_onion=False).json() == {"status": "succeeded"}
