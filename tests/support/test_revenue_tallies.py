"""The revenue tallies (``support.models.tallies``) move with every save and delete, and the command finds and mends
what a write around the models left behind.

Each test compares the tallies with what the ledger's rows say, worked out afresh (``support.revenue.tallies``), and
with numbers of its own where a case is small enough to count by hand.
"""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone

from core.models import AuditEntry
from support.models import Campaign, Contribution, GiftTally, Payment, PaymentTally, PlanTally
from support.models.tallies import RUNNING, month_number
from support.revenue.amounts import Rates
from support.revenue.history import one_time_between
from support.revenue.period import PAYMENT_GROUPS, payments_between
from support.revenue.tallies import differences, stored
from tests.support.revenue_ledger import NOW, seeded  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

TALLY_MODELS = (PlanTally, GiftTally, PaymentTally)

STARTED = dt.datetime(2026, 3, 14, 9, 0, tzinfo=dt.UTC)


def plan(**fields):
    values = {
        "reference": f"T{Contribution.objects.count() + 1:05d}",
        "amount": Decimal("10.00"),
        "currency": "EUR",
        "frequency": "monthly",
        "method": "card",
        "status": Contribution.Status.ACTIVE,
        "started_at": STARTED,
    }
    return Contribution.objects.create(**{**values, **fields})


def plan_tallies():
    return {key: tuple(value) for key, value in stored(TALLY_MODELS)[0].items()}


def gift_tallies():
    return {key: tuple(value) for key, value in stored(TALLY_MODELS)[1].items()}


def test_the_seeded_ledger_written_through_the_actions_leaves_tallies_that_agree_with_its_rows(seeded):  # noqa: F811
    assert plan_tallies() and gift_tallies() and payment_tallies()
    assert differences() == []
    out = StringIO()
    call_command("revenue_tallies", stdout=out)
    assert "agree" in out.getvalue()


def test_a_plan_moves_between_keys_as_it_starts_changes_and_stops():
    pending = plan(started_at=None, status=Contribution.Status.PENDING)
    assert plan_tallies() == {}  # not started: not in the history
    pending.started_at = STARTED
    pending.save()
    march = month_number(STARTED)
    assert plan_tallies() == {(march, RUNNING, "EUR", "monthly"): (Decimal("10.00"), 1)}

    pending.amount = Decimal("25.00")
    pending.save(update_fields=["amount"])
    assert plan_tallies() == {(march, RUNNING, "EUR", "monthly"): (Decimal("25.00"), 1)}

    pending.ended_at = STARTED + dt.timedelta(days=60)
    pending.save()
    assert plan_tallies() == {(march, march + 2, "EUR", "monthly"): (Decimal("25.00"), 1)}

    pending.status = Contribution.Status.CANCELLED
    pending.save(update_fields=["status"])  # no tallied column: nothing moves
    assert plan_tallies() == {(march, march + 2, "EUR", "monthly"): (Decimal("25.00"), 1)}
    assert differences() == []

    pending.delete()
    assert plan_tallies() == {}
    assert differences() == []


def test_a_one_time_gift_counts_on_its_day_while_it_stands():
    gift = plan(frequency="once", status=Contribution.Status.COMPLETED, started_at=None)
    payment = Payment.objects.create(contribution=gift, amount=Decimal("30.00"), currency="EUR", provider="stripe")
    assert gift_tallies() == {}  # created, not paid
    payment.status = Payment.Status.SUCCEEDED
    payment.succeeded_at = dt.datetime(2026, 5, 2, 8, 0, tzinfo=dt.UTC)
    payment.save()
    assert gift_tallies() == {(dt.date(2026, 5, 2), "EUR"): (Decimal("30.00"), 1)}

    payment.status = Payment.Status.REFUNDED
    payment.save(update_fields=["status"])
    assert gift_tallies() == {}
    assert differences() == []

    monthly = plan()
    renewal = Payment.objects.create(
        contribution=monthly,
        amount=Decimal("10.00"),
        currency="EUR",
        provider="stripe",
        status=Payment.Status.SUCCEEDED,
        succeeded_at=STARTED,
    )
    assert gift_tallies() == {}  # a regular contribution's payment is no gift
    renewal.delete()
    payment.delete()
    assert differences() == []


def test_two_copies_of_one_row_saved_one_after_the_other_leave_the_tally_as_the_row_is():
    contribution = plan()
    first, second = Contribution.objects.get(pk=contribution.pk), Contribution.objects.get(pk=contribution.pk)
    first.ended_at = STARTED + dt.timedelta(days=40)
    first.save()
    second.amount = Decimal("12.00")  # a stale copy: it still thinks the plan runs, and writes that back
    second.save()
    stored = Contribution.objects.get(pk=contribution.pk)
    assert stored.ended_at is None and stored.amount == Decimal("12.00")
    assert plan_tallies() == {(month_number(STARTED), RUNNING, "EUR", "monthly"): (Decimal("12.00"), 1)}
    assert differences() == []


@override_settings(TIME_ZONE="Europe/Moscow")
def test_months_and_days_are_the_sites_time_zones():
    late = dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC)  # 1 April, 01:30 in Moscow
    with timezone.override("Europe/Moscow"):
        plan(started_at=late)
        gift = plan(frequency="once", status=Contribution.Status.COMPLETED, started_at=None)
        Payment.objects.create(
            contribution=gift,
            amount=Decimal("5.00"),
            currency="USD",
            provider="stripe",
            status=Payment.Status.SUCCEEDED,
            succeeded_at=late,
        )
        assert plan_tallies() == {(2026 * 12 + 3, RUNNING, "EUR", "monthly"): (Decimal("10.00"), 1)}
        assert gift_tallies() == {(dt.date(2026, 4, 1), "USD"): (Decimal("5.00"), 1)}
        assert differences() == []


def test_a_write_around_the_models_is_found_by_the_check_and_mended_by_a_rebuild():
    contribution = plan()
    Contribution.objects.filter(pk=contribution.pk).update(amount=Decimal("99.00"), ended_at=STARTED)
    lines = differences()
    assert len(lines) == 2  # the running key holds what the row no longer says; the stopped key lacks it
    out = StringIO()
    with pytest.raises(CommandError, match="differ from the ledger in 2 keys"):
        call_command("revenue_tallies", "--check", stdout=out)
    assert "rows say" in out.getvalue()

    out = StringIO()
    call_command("revenue_tallies", "--rebuild", stdout=out)
    assert "Rebuilt the revenue tallies: 1 plan keys, 0 gift days, 0 payment keys." in out.getvalue()
    entry = AuditEntry.objects.filter(action="revenue.tallies_rebuilt").get()
    assert (entry.actor_kind, entry.data) == ("system", {"plans": 1, "gifts": 0, "payments": 0})
    march = month_number(STARTED)
    assert plan_tallies() == {(march, march, "EUR", "monthly"): (Decimal("99.00"), 1)}
    assert differences() == []


def payment_tallies():
    return {key: tuple(value) for key, value in stored(TALLY_MODELS)[2].items()}


def test_a_payment_counts_in_its_month_under_its_contributions_breakdown_until_it_is_refunded():
    campaign = Campaign.objects.get(language="en")
    contribution = plan(campaign=campaign, arm="panel-gap", article_id=41, referrer_host="t.me", method="crypto")
    payment = Payment.objects.create(
        contribution=contribution,
        amount=Decimal("10.00"),
        currency="EUR",
        provider="crypto",
        status=Payment.Status.SUCCEEDED,
        succeeded_at=STARTED,
    )
    key = (month_number(STARTED), "EUR", "crypto", "monthly", campaign.pk, "panel-gap", 41, "t.me")
    assert payment_tallies() == {key: (Decimal("10.00"), 1)}

    contribution.arm = "banner-drive"  # what its payments are grouped by changed: they move with it
    contribution.save(update_fields=["arm"])
    moved = (*key[:5], "banner-drive", *key[6:])
    assert payment_tallies() == {moved: (Decimal("10.00"), 1)}

    payment.status = Payment.Status.REFUNDED
    payment.save(update_fields=["status"])
    assert payment_tallies() == {}
    assert differences() == []


def test_deleting_a_campaign_leaves_its_payments_tallied_without_one():
    campaign = Campaign.objects.create(
        name="Spring drive",
        language="en",
        monthly_cost=Decimal("1000.00"),
        currency="EUR",
        is_active=False,
        ad_free_since=dt.date(2020, 1, 1),
    )
    contribution = plan(campaign=campaign)
    Payment.objects.create(
        contribution=contribution,
        amount=Decimal("10.00"),
        currency="EUR",
        provider="stripe",
        status=Payment.Status.SUCCEEDED,
        succeeded_at=STARTED,
    )
    campaign.delete()  # the contribution's campaign is emptied by SET_NULL, around the models
    (key,) = payment_tallies()
    assert key[4] == 0
    assert differences() == []


def live_payments(start, end):
    """The period's payments grouped straight from the rows: what the tallies must add up to."""
    paid = Payment.objects.filter(status=Payment.Status.SUCCEEDED, succeeded_at__gte=start, succeeded_at__lt=end)
    rows = paid.values(*PAYMENT_GROUPS).annotate(total=Sum("amount"), n=Count("pk"))
    return sorted((tuple(row[name] for name in PAYMENT_GROUPS), row["total"], row["n"]) for row in rows)


def test_a_periods_payments_read_from_the_tallies_equal_the_payments_grouped_one_by_one(seeded):  # noqa: F811
    def read(start, end):
        # rows come per month (each month's income is converted at its rate): summed over the months here
        sums = {}
        for row in payments_between(start, end):
            key = tuple(row[name] for name in PAYMENT_GROUPS)
            total, n = sums.get(key, (0, 0))
            sums[key] = (total + row["total"], n + row["n"])
        return sorted((key, total, n) for key, (total, n) in sums.items())

    months = [dt.datetime(2026, month, 1, tzinfo=dt.UTC) for month in range(4, 13)]
    spans = [
        (months[2], months[3]),  # a whole month: from the tally
        (months[0], months[6]),  # six whole months
        (months[1] + dt.timedelta(days=9, hours=5), months[4] + dt.timedelta(days=3)),  # cut at both ends
        (months[7], NOW),  # the seeded world's current month, up to its now
        (months[0] - dt.timedelta(days=45), NOW),
        (NOW, NOW + dt.timedelta(days=3)),  # after the last payment
    ]
    for start, end in spans:
        assert read(start, end) == live_payments(start, end), (start, end)
    assert any(read(start, end) for start, end in spans)


def test_one_time_gifts_between_any_two_moments_read_from_the_day_tally_equal_their_payments(seeded):  # noqa: F811
    rates = Rates.into("EUR")
    spans = [
        (dt.datetime(2026, 5, 1, tzinfo=dt.UTC), dt.datetime(2026, 6, 1, tzinfo=dt.UTC)),  # whole days only
        (dt.datetime(2026, 5, 3, 7, 15, tzinfo=dt.UTC), dt.datetime(2026, 7, 9, 18, 40, tzinfo=dt.UTC)),  # cut ends
        (dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC), dt.datetime(2026, 6, 10, 17, tzinfo=dt.UTC)),  # within a day
        (NOW - dt.timedelta(days=30), NOW),  # the live figures' window
        (NOW, NOW),
    ]
    for start, end in spans:
        paid = Payment.objects.filter(
            status=Payment.Status.SUCCEEDED,
            succeeded_at__gte=start,
            succeeded_at__lt=end,
            contribution__frequency="once",
        )
        by_currency = {row["currency"]: row["total"] for row in paid.values("currency").annotate(total=Sum("amount"))}
        total, count = one_time_between(start, end, rates)
        assert {code: amount for code, amount in total.by_currency.items() if amount} == by_currency, (start, end)
        assert count == paid.count(), (start, end)
    assert one_time_between(*spans[1], rates)[1] > 0


def test_moves_are_appended_and_folded_into_one_settled_row_per_key_without_changing_a_figure(seeded):  # noqa: F811
    before = stored(TALLY_MODELS)
    assert PlanTally.objects.filter(settled=False).exists()  # each save appended its moves
    rows = [model.objects.count() for model in TALLY_MODELS]

    out = StringIO()
    call_command("revenue_tallies", "--compact", stdout=out)

    assert f"Folded {sum(rows)} tally rows." in out.getvalue()
    assert stored(TALLY_MODELS) == before
    for model, keys in ((PlanTally, 4), (GiftTally, 2), (PaymentTally, 8)):
        assert not model.objects.filter(settled=False).exists()
        fields = [field.name for field in model._meta.fields][1 : keys + 1]
        assert model.objects.values(*fields).distinct().count() == model.objects.count()  # one row per key
    assert differences() == []

    contribution = plan()  # a move after the fold: appended, and folded into the settled row of its key
    settled = PlanTally.objects.count()
    contribution.ended_at = STARTED + dt.timedelta(days=3)
    contribution.save()
    assert PlanTally.objects.count() > settled
    call_command("revenue_tallies", "--compact", stdout=StringIO())
    call_command("revenue_tallies", "--compact", stdout=StringIO())  # nothing left to fold: nothing changes
    assert differences() == []
    assert not PlanTally.objects.filter(settled=False).exists()


def test_a_save_of_some_fields_moves_the_tally_by_those_fields_alone():
    contribution = plan()
    contribution.amount = Decimal("50.00")  # changed in memory, never saved
    contribution.ended_at = STARTED + dt.timedelta(days=35)
    contribution.save(update_fields=["ended_at"])
    march = month_number(STARTED)
    assert plan_tallies() == {(march, march + 1, "EUR", "monthly"): (Decimal("10.00"), 1)}
    assert differences() == []


def test_rows_the_state_machine_locked_are_moved_from_what_it_read_without_reading_them_again():
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from core.actions import Actor
    from core.money import Money
    from support.actions.contributions import confirm_payment, start_contribution

    contribution = start_contribution(
        actor=Actor.reader(), amount=Money(Decimal("20"), "GBP"), frequency="once", method="card", email="t@example.org"
    )
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        confirm_payment(actor=Actor.system(), payment_id=contribution.payments.get().pk, transaction_reference="r1")
    stored_reads = [q["sql"] for q in queries.captured_queries if 'AS "succeeded_at"' in q["sql"]]
    assert stored_reads == []  # the payment the state machine locked is not read a second time for the tallies
    (key,) = gift_tallies()
    assert key[1] == "GBP" and gift_tallies()[key] == (Decimal("20.00"), 1)
    assert differences() == []
