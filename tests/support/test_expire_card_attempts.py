"""``manage.py expire_card_attempts`` against a real localstripe: card attempts nobody carried on with for a day end
as cancelled ("expired"), never started, audited, with their email address dropped and what they left at Stripe
(intents under way, an incomplete subscription, the customer) taken away; while a paid gift, a recent attempt, bank
transfers and crypto stay as they are, and an attempt whose 3-D Secure charge did succeed at Stripe (its webhook
missed) is confirmed instead. A second run changes nothing; with nothing to do a run is one query."""

import datetime as dt
import json
import urllib.parse
import urllib.request
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support.actions.contributions import confirm_payment, start_contribution
from support.models import Contribution, Payment, Supporter
from support.providers.registry import get_provider
from tests.support import localstripe as fixtures
from tests.support.localstripe import CARD_DECLINED_ON_CHARGE

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

CARD_3D_SECURE = "4000002760003184"
DAY_AND_A_BIT = dt.timedelta(hours=25)


def started(method="card", *, email="", frequency="once", amount="10"):
    return start_contribution(
        actor=Actor.reader(), amount=Money(Decimal(amount), "EUR"), frequency=frequency, method=method, email=email
    )


def expire(after=DAY_AND_A_BIT):
    """Run the command as the scheduler would, ``after`` from now; the lines it prints."""
    out = StringIO()
    with time_machine.travel(timezone.now() + after, tick=False):
        call_command("expire_card_attempts", stdout=out)
    return out.getvalue().splitlines()


def charge(contribution, setup):
    """The pay page asks our server to charge with the confirmed card."""
    answer = Client(REMOTE_ADDR="198.51.100.60").post(
        f"/support/pay/{contribution.public_id}/card/charge/", {"setup_intent": setup}
    )
    assert answer.status_code == 200
    return answer.json()


def setup_with_3d_secure(localstripe, contribution):
    """What Stripe.js does for a card whose bank wants 3-D Secure when it is set up: confirm, then the bank's window."""
    prepared = get_provider("card").prepare(contribution)
    localstripe.api.SetupIntent.confirm(prepared["setup_intent"], payment_method=localstripe.card(CARD_3D_SECURE))
    localstripe.api.SetupIntent.confirm(prepared["setup_intent"])
    return prepared["setup_intent"]


def authenticate(localstripe, intent_id, client_secret):
    """The supporter completes 3-D Secure in the bank's window (at localstripe); no webhook reaches us."""
    data = urllib.parse.urlencode({"client_secret": client_secret, "success": "true", "key": "pk_test_samizdat"})
    request = urllib.request.Request(
        f"{localstripe.base}/v1/payment_intents/{intent_id}/_authenticate", data=data.encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response)["status"] == "succeeded"


def customer_ids(localstripe):
    return {customer.id for customer in localstripe.api.Customer.list(limit=100)["data"]}


def audit_entries():
    return list(AuditEntry.objects.order_by("pk").values_list("action", "subject_id", "data"))


def assert_expired(contribution, *, was):
    contribution.refresh_from_db()
    assert (contribution.status, contribution.end_reason) == ("cancelled", "expired")
    assert contribution.started_at is None and contribution.ended_at is not None  # it never started
    assert contribution.supporter_id is None
    assert all(payment.status == "failed" for payment in contribution.payments.all())
    entry = AuditEntry.objects.get(action="contribution.expired", subject_id=str(contribution.pk))
    assert (entry.actor_kind, entry.actor_id, entry.data["was"]) == ("system", "expire_card_attempts", was)


def test_abandoned_attempts_end_and_what_they_left_at_stripe_goes(localstripe):
    provider = get_provider("card")
    never_loaded = started(email="Leaver@Example.org")  # a script that never loads the card step
    loaded = started()  # the card step was shown: a customer and a SetupIntent at Stripe
    provider.prepare(loaded)
    declined = started(email="declined@example.org")  # declined, then left
    assert charge(declined, localstripe.confirmed_setup(provider, declined, CARD_DECLINED_ON_CHARGE)) == {
        "status": "declined",
        "message": "Your card was declined.",
    }
    loaded.refresh_from_db()
    declined.refresh_from_db()
    assert declined.status == "failed"
    left_at_stripe = {loaded.provider_customer_id, declined.provider_customer_id}
    assert left_at_stripe <= customer_ids(localstripe)

    lines = expire()

    assert sorted(lines) == sorted(
        [
            f"expired {never_loaded.reference} (was pending)",
            f"expired {loaded.reference} (was pending)",
            f"expired {declined.reference} (was failed)",
        ]
    )
    assert_expired(never_loaded, was="pending")
    assert_expired(loaded, was="pending")
    assert_expired(declined, was="failed")
    assert never_loaded.payments.get().failure_message == "expired"
    assert not customer_ids(localstripe) & left_at_stripe  # deleted at Stripe, with the cards attached to them
    # the addresses are gone: nothing else used them
    assert not Supporter.objects.filter(email__in=["leaver@example.org", "declined@example.org"]).exists()
    entry = AuditEntry.objects.get(action="contribution.expired", subject_id=str(never_loaded.pk))
    assert entry.data == {"was": "pending", "payments_failed": 1, "supporter_deleted": True}
    assert "leaver" not in json.dumps(audit_entries()).lower()


def test_what_a_reader_paid_for_and_what_is_not_abandoned_stays(localstripe):
    provider = get_provider("card")
    paid = started(email="giver@example.org")
    assert charge(paid, localstripe.confirmed_setup(provider, paid)) == {"status": "succeeded"}
    bank = started("bank_transfer")
    crypto = started("crypto")
    confirmed_bank = started("bank_transfer", email="giver@example.org")
    confirm_payment(actor=Actor.system("bank_statement"), payment_id=confirmed_bank.payments.get().pk)  # money arrived
    rows = list(Contribution.objects.order_by("pk").values_list("pk", "status", "supporter_id", "end_reason"))
    payments = list(Payment.objects.order_by("pk").values_list("pk", "status"))
    customers = customer_ids(localstripe)

    recent = started(email="giver@example.org")  # 23 hours old when the command runs
    assert expire(after=dt.timedelta(hours=23)) == []
    assert expire(after=dt.timedelta(days=30)) == [f"expired {recent.reference} (was pending)"]

    assert (
        list(
            Contribution.objects.exclude(pk=recent.pk)
            .order_by("pk")
            .values_list("pk", "status", "supporter_id", "end_reason")
        )
        == rows
    )
    assert list(Payment.objects.exclude(contribution=recent).order_by("pk").values_list("pk", "status")) == payments
    assert customer_ids(localstripe) == customers
    # the address stays with the contributions that use it; the expired attempt no longer names it
    assert Supporter.objects.filter(email="giver@example.org").exists()
    recent.refresh_from_db()
    assert recent.supporter_id is None
    assert AuditEntry.objects.get(action="contribution.expired").data["supporter_deleted"] is False
    assert {bank.pk, crypto.pk} <= set(Contribution.objects.filter(status="pending").values_list("pk", flat=True))


def test_a_3d_secure_charge_that_succeeded_at_stripe_is_confirmed_not_expired(localstripe):
    contribution = started(amount="15")
    answer = charge(contribution, setup_with_3d_secure(localstripe, contribution))
    assert answer["status"] == "requires_action"
    payment = contribution.payments.get()
    payment.refresh_from_db()
    assert payment.status == "pending" and payment.provider_id.startswith("pi_")  # the intent under way is kept
    authenticate(localstripe, payment.provider_id, answer["client_secret"])  # the page closed; its webhook was lost

    lines = expire()

    assert lines == [f"kept {contribution.reference}: Stripe says it is paid, or may still be"]
    contribution.refresh_from_db()
    payment.refresh_from_db()
    assert (contribution.status, payment.status) == ("completed", "succeeded")
    assert contribution.started_at is not None
    assert contribution.provider_customer_id in customer_ids(localstripe)
    assert not AuditEntry.objects.filter(action="contribution.expired").exists()
    assert expire() == []  # paid: never a candidate again


def test_a_3d_secure_charge_left_unfinished_is_cancelled_at_stripe_and_expires(localstripe):
    contribution = started(amount="15")
    assert charge(contribution, setup_with_3d_secure(localstripe, contribution))["status"] == "requires_action"
    intent_id = contribution.payments.get().provider_id

    assert expire() == [f"expired {contribution.reference} (was pending)"]

    assert localstripe.api.PaymentIntent.retrieve(intent_id)["status"] == "canceled"  # nobody can finish it now
    assert_expired(contribution, was="pending")


def test_a_monthly_attempt_left_in_3d_secure_loses_its_incomplete_subscription(localstripe):
    contribution = started(frequency="monthly", amount="6")
    assert charge(contribution, setup_with_3d_secure(localstripe, contribution))["status"] == "requires_action"
    contribution.refresh_from_db()
    subscription_id = contribution.provider_subscription_id
    assert localstripe.api.Subscription.retrieve(subscription_id)["status"] == "incomplete"

    assert expire() == [f"expired {contribution.reference} (was pending)"]

    assert localstripe.api.Subscription.retrieve(subscription_id)["status"] == "canceled"  # nothing bills it later
    assert_expired(contribution, was="pending")


def test_a_second_run_changes_nothing_and_a_run_with_nothing_to_do_is_one_query(localstripe, django_assert_num_queries):
    contribution = started(email="leaver@example.org")
    get_provider("card").prepare(contribution)
    assert len(expire()) == 1
    before = (audit_entries(), list(Contribution.objects.values_list("pk", "status", "updated_at")))
    stripe_objects = customer_ids(localstripe)

    with time_machine.travel(timezone.now() + DAY_AND_A_BIT, tick=False), django_assert_num_queries(1):
        call_command("expire_card_attempts", verbosity=0)

    assert (audit_entries(), list(Contribution.objects.values_list("pk", "status", "updated_at"))) == before
    assert customer_ids(localstripe) == stripe_objects
