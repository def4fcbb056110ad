"""The demo's ledger history (support/demo_history.py): a small version of the two years ``make demo`` writes, made
through the ledger's named actions, back-dated, without a single receipt, and written once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support.actions.contributions import confirm_payment, start_contribution
from support.demo_history import MARKER, Clock, load_history, simulated_now
from support.figures import figures_for
from support.models import (
    AmountChange,
    AskVariant,
    Campaign,
    Contribution,
    EndReason,
    ExchangeRate,
    Payment,
    Refund,
    Supporter,
)

pytestmark = pytest.mark.django_db

SCALE = 0.05


def signature():
    """What the history is, without what the actions draw themselves (references, public ids, primary keys)."""
    return sorted(
        Contribution.objects.values_list(
            "created_at", "amount", "currency", "frequency", "method", "status", "arm", "referrer_host", "language"
        )
    ) + sorted(Payment.objects.values_list("created_at", "succeeded_at", "amount", "status"))


@pytest.fixture
def history(mailbox, django_capture_on_commit_callbacks):
    """The small history, its after-commit work run (as it would be once ``load_demo`` commits)."""
    with django_capture_on_commit_callbacks(execute=True):
        summary = load_history(scale=SCALE)
    return summary


def test_the_tests_demo_has_no_history():
    assert settings.DEMO_HISTORY == 0
    assert not AuditEntry.objects.filter(action=MARKER).exists()
    assert not Contribution.objects.exists()


def test_the_history_is_written_through_the_actions_and_has_every_kind(history):
    assert history.created and history.contributions == Contribution.objects.count() > 100
    contributions = Contribution.objects.all()
    for kind in ("monthly", "annual", "once"):
        assert contributions.filter(frequency=kind, payments__status="succeeded").exists(), kind
    for currency in ("EUR", "USD", "GBP"):
        assert contributions.filter(currency=currency).exists(), currency
    assert {"en", "ru"} <= set(contributions.values_list("language", flat=True))
    for contribution in contributions.select_related("campaign"):  # each through the campaign of its language
        if contribution.campaign is None:  # an anonymous transfer quoting SUPPORT: no campaign, nobody behind it
            assert contribution.frequency == "once" and contribution.supporter_id is None
            assert contribution.payments.get().provider_id.endswith(" SUPPORT")
            continue
        assert contribution.campaign.language == contribution.language
    assert contributions.filter(campaign=None).exists()  # the statements' anonymous gifts
    assert contributions.filter(end_reason=EndReason.CANCELLED).exists()
    assert contributions.filter(end_reason=EndReason.LAPSED).exists()
    assert contributions.filter(status="refunded").exists()
    assert Refund.objects.filter(kind=Refund.Kind.REFUND).exists()
    assert Refund.objects.filter(kind=Refund.Kind.DISPUTE).exists()
    changes = AmountChange.objects.all()
    assert changes.exists()
    assert AuditEntry.objects.filter(action="contribution.amount_changed").count() == changes.count()
    assert contributions.filter(status="failed").exists()  # declined cards, transfers that never came
    # bank transfers confirmed by importing statements, crypto confirmed by staff with its transaction
    imports = AuditEntry.objects.filter(action="bank_statement.imported")
    assert imports.count() > 10 and sum(entry.data["confirmed"] + entry.data["renewed"] for entry in imports) > 0
    assert Payment.objects.filter(
        contribution__method="bank_transfer", status="succeeded", transaction_reference__startswith="bank statement"
    ).exists()
    assert Payment.objects.filter(contribution__method="crypto", status="succeeded").exclude(transaction_reference="")
    # attribution: the campaigns' arms, demo articles, referrer hosts (and none: direct)
    arms = set(AskVariant.objects.values_list("key", flat=True))
    assert set(contributions.exclude(arm="").exclude(arm="holdback").values_list("arm", flat=True)) <= arms
    assert contributions.exclude(article_id=None).exists()
    assert {"", "t.me"} <= set(contributions.values_list("referrer_host", flat=True))
    assert Supporter.objects.filter(email__regex=r"^reader\d+@example\.org$").count() == Supporter.objects.count()

    # Every payment that moved money has the audit entry of the action that recorded it.
    paid = Payment.objects.filter(status__in=["succeeded", "refunded"])
    audited = AuditEntry.objects.filter(action__in=["payment.confirmed", "payment.renewed"])
    assert set(audited.values_list("subject_id", flat=True)) == {str(pk) for pk in paid.values_list("pk", flat=True)}
    assert AuditEntry.objects.filter(action="contribution.started").count() == contributions.count()

    # Back-dated over two years: when things happened, not when they were loaded.
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    first = contributions.order_by("created_at").first().created_at
    assert today - dt.timedelta(days=731) <= first < today - dt.timedelta(days=600)
    assert not Payment.objects.filter(succeeded_at__gte=today).exists()
    # (the demo's mirrors are added as it loads, today: they are no part of the ledger's history)
    ledger_entries = AuditEntry.objects.exclude(action=MARKER).exclude(action__startswith="mirror")
    assert not ledger_entries.filter(created_at__gte=today).exists()
    months = contributions.dates("started_at", "month")
    assert len(months) >= 20
    for contribution in contributions.exclude(started_at=None).exclude(ended_at=None):
        assert contribution.created_at <= contribution.started_at <= contribution.ended_at

    assert ExchangeRate.objects.filter(from_currency="EUR", to_currency="USD").count() > 500  # business days, 2 years
    figures = figures_for(Campaign.objects.get(language="en"))
    assert figures.percent > 0 and figures.supporters > 0 and figures.income.amount > 0


def test_no_receipt_goes_out_for_the_history(history, mailbox, django_capture_on_commit_callbacks):
    assert Payment.objects.filter(status="succeeded", contribution__supporter__isnull=False).count() > 100
    assert mailbox.messages == []
    # ... while money recorded afterwards is thanked as usual
    contribution = start_contribution(
        actor=Actor.reader(),
        amount=Money(Decimal("10"), "EUR"),
        frequency="once",
        method="crypto",
        email="reader.after.history@example.org",
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirm_payment(actor=Actor.system(), payment_id=contribution.payments.get().pk, transaction_reference="0xab")
    assert [message["Subject"] for message in mailbox.messages] == ["Your receipt"]


def test_the_history_is_the_same_each_time_and_written_once():
    until = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        load_history(scale=SCALE, until=until)
        first = signature()
        transaction.set_rollback(True)
    assert not Contribution.objects.exists()

    assert load_history(scale=SCALE, until=until).created
    assert signature() == first
    counts = (Contribution.objects.count(), Payment.objects.count(), AuditEntry.objects.count())
    again = load_history(scale=SCALE)
    assert not again.created
    assert (Contribution.objects.count(), Payment.objects.count(), AuditEntry.objects.count()) == counts
    assert AuditEntry.objects.filter(action=MARKER).count() == 1


def test_the_simulated_clock_is_put_back_however_the_block_ends():
    real = timezone.now
    moment = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    with pytest.raises(RuntimeError), simulated_now(Clock(moment)):
        assert timezone.now() == moment
        raise RuntimeError
    assert timezone.now is real and timezone.now() > moment
