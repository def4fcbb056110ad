"""The card-testing defence against a real localstripe, with mail over real SMTP: limits per supporter address, and the
site-wide breaker that pauses card payments after a spike of declines, alerts staff once, keeps bank transfer and
crypto working, and ends after its cool-down or when staff resume card payments."""

import time
from decimal import Decimal

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support.actions.contributions import start_contribution
from support.cards import defence
from support.cards import state as cards
from support.models import Contribution, Payment
from support.providers.registry import get_provider
from tests.services import empty_redis, redis_caches
from tests.support import localstripe as fixtures
from tests.support.conftest import body_of
from tests.support.localstripe import CARD_DECLINED_ON_CHARGE, CARD_OK
from tests.support.test_checkout import contribution_of, form_fields, pay_path, send

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

REVENUE_ADDRESS = "revenue@samizdat.example"  # the demo revenue person


def charge_path(contribution):
    return f"/support/pay/{contribution.public_id}/card/charge/"


def prepare_path(contribution):
    return f"/support/pay/{contribution.public_id}/card/prepare/"


class Readers:
    """Card attempts the way the pay page makes them, each from its own client address unless told otherwise."""

    def __init__(self, localstripe, capture):
        self.localstripe = localstripe
        self.capture = capture
        self.provider = get_provider("card")
        self.addresses = (f"203.0.113.{n}" for n in range(1, 255))

    def started(self, *, email="", amount="7"):
        contribution = start_contribution(
            actor=Actor.reader(), amount=Money(Decimal(amount), "EUR"), frequency="once", method="card", email=email
        )
        self.provider.start(contribution, request=None)
        contribution.refresh_from_db()
        return contribution

    def attempt(self, number=CARD_OK, *, email="", address=None, contribution=None, forwarded_for=None):
        """Start a contribution (or use ``contribution``), confirm a card on it and ask our server to charge it.
        After-commit work (the alert) runs at once, as it would after the request. ``forwarded_for`` is the
        ``X-Forwarded-For`` header the request arrives with (from ``address``, a proxy, say)."""
        contribution = contribution or self.started(email=email)
        setup = self.localstripe.confirmed_setup(self.provider, contribution, number=number)
        headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
        client = Client(REMOTE_ADDR=address or next(self.addresses), **headers)
        with self.capture(execute=True):
            response = client.post(charge_path(contribution), {"setup_intent": setup})
        return contribution, response

    def decline_burst(self, count):
        for _n in range(count):
            _contribution, response = self.attempt(CARD_DECLINED_ON_CHARGE)
            assert response.status_code == 200 and response.json()["status"] == "declined"


@pytest.fixture
def readers(localstripe, django_capture_on_commit_callbacks):
    return Readers(localstripe, django_capture_on_commit_callbacks)


def checkout_page(client=None):
    response = (client or Client()).get("/support/?frequency=once&amount=10&currency=EUR")
    assert response.status_code == 200
    return response


def card_choice(response):
    return BeautifulSoup(response.content, "html.parser").select_one("input[name=method][value=card]")


def assert_card_works(readers):
    contribution, response = readers.attempt(CARD_OK)
    assert response.status_code == 200 and response.json() == {"status": "succeeded"}
    contribution.refresh_from_db()
    assert contribution.status == "completed"


# --- the breaker


def test_a_burst_of_declines_from_many_addresses_pauses_card_and_alerts_staff_once(readers, mailbox):
    assert_card_works(readers)  # one honest payment first: it counts for the ratio too
    limit = settings.CARD_BREAKER_MIN_FAILURES
    readers.decline_burst(limit - 1)  # every one from another address: no per-source limit is reached
    assert not cards.card_paused()
    assert mailbox.messages == []

    readers.decline_burst(1)

    assert cards.card_paused()
    assert len(mailbox.messages) == 1
    alert = mailbox.messages[0]
    assert alert["Subject"] == "Card payments are paused"
    assert REVENUE_ADDRESS in alert.envelope_to
    body = body_of(alert)
    assert f"{limit} of {limit + 1} card attempts were declined" in body
    assert "/admin/support/card/" in body
    entry = AuditEntry.objects.get(action="card.paused")
    assert (entry.actor_kind, entry.actor_id) == ("system", "card_breaker")
    assert (entry.data["failures"], entry.data["attempts"]) == (limit, limit + 1)

    # Refused with a 503 and a message, changing nothing: no SetupIntent, no charge, no payment moves.
    contribution = readers.started()
    setups = len(readers.localstripe.api.SetupIntent.list(limit=100)["data"])
    client = Client(REMOTE_ADDR="198.51.100.7")
    for path, data in ((prepare_path(contribution), {}), (charge_path(contribution), {"setup_intent": "seti_x"})):
        refused = client.post(path, data)
        assert refused.status_code == 503
        assert refused.json()["status"] == "paused"
        assert "bank transfer or crypto" in refused.json()["message"]
    assert len(readers.localstripe.api.SetupIntent.list(limit=100)["data"]) == setups
    contribution.refresh_from_db()
    assert contribution.status == "pending"
    assert contribution.payments.get().status in ("created", "pending")

    # More declines reaching us (say, a request that was already on its way) alert nobody again.
    defence.count_failure([])
    assert len(mailbox.messages) == 1
    assert AuditEntry.objects.filter(action="card.paused").count() == 1


def test_while_paused_checkout_offers_bank_transfer_and_crypto_but_not_card(readers, mailbox):
    readers.decline_burst(settings.CARD_BREAKER_MIN_FAILURES)
    assert cards.card_paused()

    page = checkout_page()
    card = card_choice(page)
    assert card is not None and card.has_attr("disabled")
    assert b"data-card-paused" in page.content
    assert b"Card payment is paused for a short while" in page.content
    for method in ("bank_transfer", "crypto"):
        choice = BeautifulSoup(page.content, "html.parser").select_one(f"input[name=method][value={method}]")
        assert not choice.has_attr("disabled")

    # A form sent with card anyway (an old tab) is refused with a message; nothing is stored.
    client = Client()
    fields = form_fields(checkout_page(client))
    before = Contribution.objects.count()
    refused = send(client, fields, method="card")
    assert refused.status_code == 400
    assert b"Card payment is paused for a short while. Please choose bank transfer or crypto." in refused.content
    assert Contribution.objects.count() == before

    # Bank transfer goes all the way: the contribution, its pay page with the reference, staff confirm the money.
    fields = form_fields(checkout_page(client))
    location = pay_path(send(client, fields, method="bank_transfer"))
    contribution = contribution_of(location)
    pay_page = client.get(location)
    assert pay_page.status_code == 200 and contribution.reference.encode() in pay_page.content
    revenue = Client()
    assert revenue.login(username="revenue", password="samizdat-demo")
    payment = contribution.payments.get()
    confirmed = revenue.post(f"/admin/support/contributions/{contribution.pk}/confirm/", {"payment": payment.pk})
    assert confirmed.status_code == 302
    contribution.refresh_from_db()
    assert contribution.status == "completed"


def test_card_works_again_after_the_cool_down(readers, mailbox):
    readers.decline_burst(settings.CARD_BREAKER_MIN_FAILURES)
    assert cards.card_paused()

    with time_machine.travel(time.time() + settings.CARD_BREAKER_PAUSE_SECONDS + 1, tick=False):
        assert not cards.card_paused()
        assert card_choice(checkout_page()).has_attr("required")
        assert_card_works(readers)

    assert len(mailbox.messages) == 1


def test_staff_resume_card_payments_early(readers, mailbox, revenue):
    readers.decline_burst(settings.CARD_BREAKER_MIN_FAILURES)

    page = revenue.get("/admin/support/card/")
    assert page.status_code == 200
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one("[data-card-state=paused]") is not None
    assert soup.select_one("form[data-resume-form]") is not None
    listing = revenue.get("/admin/support/contributions/")
    assert b"/admin/support/card/" in listing.content  # the list of contributions says so too

    resumed = revenue.post("/admin/support/card/resume/")
    assert resumed.status_code == 302 and resumed["Location"] == "/admin/support/card/"
    assert not cards.card_paused()
    entry = AuditEntry.objects.get(action="card.resumed")
    assert (entry.actor_kind, entry.actor_id) == ("staff", str(revenue.session["_auth_user_id"]))
    page = revenue.get("/admin/support/card/")
    assert BeautifulSoup(page.content, "html.parser").select_one("[data-card-state=running]") is not None

    assert_card_works(readers)
    # Resuming twice changes nothing and writes nothing.
    again = revenue.post("/admin/support/card/resume/", follow=True)
    assert b"were not paused" in again.content
    assert AuditEntry.objects.filter(action="card.resumed").count() == 1
    # The old declines were forgotten: one more does not pause card payments again.
    readers.decline_burst(1)
    assert not cards.card_paused()
    assert len(mailbox.messages) == 1


def test_only_the_revenue_role_and_superusers_resume_card_payments(readers, mailbox):
    readers.decline_burst(settings.CARD_BREAKER_MIN_FAILURES)
    for username in ("editor", "contributor"):
        client = Client()
        assert client.login(username=username, password="samizdat-demo")
        refused = client.post("/admin/support/card/resume/")
        assert refused.status_code == 302 and refused["Location"] == "/admin/"  # Wagtail's “no permission”
        assert client.get("/admin/support/card/")["Location"] == "/admin/"
    assert cards.card_paused()
    assert not AuditEntry.objects.filter(action="card.resumed").exists()

    admin = Client()
    assert admin.login(username="admin", password="samizdat-demo")
    assert admin.get("/admin/support/card/resume/").status_code == 405  # a button, never a link
    assert admin.post("/admin/support/card/resume/").status_code == 302
    assert not cards.card_paused()


def test_a_steady_honest_mix_never_pauses_card(readers, mailbox):
    """A busy day: more declines than the breaker's minimum, but among many more payments that go through."""
    limit = settings.CARD_BREAKER_MIN_FAILURES
    for n in range(3 * limit):
        number = CARD_DECLINED_ON_CHARGE if n % 3 == 0 else CARD_OK  # one in three declined: a bad day indeed
        _contribution, response = readers.attempt(number)
        assert response.status_code == 200
    figures = cards.figures()
    assert figures.failures >= limit and figures.failure_ratio < settings.CARD_BREAKER_FAILURE_RATIO
    assert not cards.card_paused()
    assert mailbox.messages == []


def test_declines_spread_over_time_never_pause_card(readers, mailbox):
    """Declines only: but one every two windows' tenths, so never the minimum within one window."""
    step = settings.CARD_BREAKER_WINDOW / 5
    start = time.time()
    for n in range(2 * settings.CARD_BREAKER_MIN_FAILURES):
        with time_machine.travel(start + n * step, tick=False):
            readers.decline_burst(1)
            assert not cards.card_paused()
    assert mailbox.messages == []


# --- limits per source


def test_a_sixth_decline_for_one_email_is_blocked_on_a_new_contribution_while_another_reader_pays(readers, mailbox):
    tester = "tester@example.net"
    for _n in range(cards.CARD_FAILURE_LIMIT):  # new contribution, new client address each time
        _contribution, response = readers.attempt(CARD_DECLINED_ON_CHARGE, email=tester)
        assert response.json()["status"] == "declined"

    contribution, blocked = readers.attempt(CARD_OK, email=" Tester@Example.NET ")
    assert blocked.status_code == 429 and blocked.json()["status"] == "blocked"
    contribution.refresh_from_db()
    assert contribution.status == "pending"
    assert not Payment.objects.filter(status="succeeded").exists()
    prepare = Client(REMOTE_ADDR="198.51.100.99").post(prepare_path(readers.started(email=tester)))
    assert prepare.status_code == 429

    contribution, paid = readers.attempt(CARD_OK, email="reader@example.org")
    assert paid.json() == {"status": "succeeded"}
    contribution.refresh_from_db()
    assert contribution.status == "completed"
    assert not cards.card_paused()


def test_no_address_is_kept_in_clear():
    class Request:
        META = {"REMOTE_ADDR": "192.0.2.55"}

    contribution = start_contribution(
        actor=Actor.reader(), amount=Money(Decimal("5"), "EUR"), frequency="once", method="card", email="a@example.org"
    )
    keys = cards.limit_keys(Request(), contribution)
    assert len(keys) == 3
    assert not any("192.0.2.55" in key or "example.org" in key for key in keys)
    anonymous = start_contribution(
        actor=Actor.reader(), amount=Money(Decimal("5"), "EUR"), frequency="once", method="card"
    )
    assert len(cards.limit_keys(Request(), anonymous)) == 2


# --- several app processes, one Redis

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_cache():
    from django.core.cache import caches
    from django.test import override_settings

    client = empty_redis(REDIS_URL)
    with override_settings(CACHES=redis_caches(REDIS_URL)):  # Django swaps its cache connections on this setting change
        assert "Redis" in type(caches["default"]).__name__
        yield client
    client.flushdb()


def in_another_process(code):
    """Run ``code`` in a separate app process on the same Redis; what it prints comes back."""
    import subprocess
    import sys
    from pathlib import Path

    env = {
        "SAMIZDAT_ENV": "test",
        "CACHE_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "samizdat.settings",
        "PATH": "/usr/bin:/bin",
    }
    setup = "import django; django.setup(); from support.cards import defence, state as cards; "
    done = subprocess.run(
        [sys.executable, "-c", setup + code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def test_app_processes_sharing_redis_count_together_and_agree_on_the_pause(
    redis_cache, django_capture_on_commit_callbacks
):
    limit = settings.CARD_BREAKER_MIN_FAILURES
    in_another_process(f"[defence.count_failure([]) for _ in range({limit - 1})]")
    assert cards.figures().failures == limit - 1 and not cards.card_paused()

    with django_capture_on_commit_callbacks(execute=False):
        assert defence.count_failure([]) is True  # the last decline, here, pauses card everywhere

    assert in_another_process("print(cards.card_paused())") == "True"
    assert in_another_process("print(cards.claim_pause(failures=99, attempts=99))") == "None"
    assert AuditEntry.objects.filter(action="card.paused").count() == 1
