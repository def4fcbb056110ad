"""The revenue figures against expectations computed independently from the plain record the seeded ledger keeps
(tests/support/revenue_ledger.py): every figure is worked out by walking that record, never through a query, and the
dashboard's functions must agree to the cent."""

import datetime as dt
from decimal import Decimal

import pytest

from support.figures import figures_for
from support.models import ExchangeRate
from support.revenue.history import monthly_history
from support.revenue.period import Span, period_figures
from tests.support.revenue_ledger import NOW, at, eur, expected_mrr, expected_one_time, money

pytestmark = pytest.mark.django_db


def test_the_monthly_history_matches_the_plain_record(seeded):
    campaign, plans = seeded
    with at(NOW):
        history = monthly_history(campaign, months=8, now=NOW)
    assert [m.label for m in history.months] == [f"2026-{month:02d}" for month in range(4, 12)]
    assert history.complete
    for month in history.months:
        point = month.at
        assert month.mrr.amount == expected_mrr(plans, point), month.label
        following = month.start + dt.timedelta(days=32)
        month_end = min(following.replace(day=1), NOW)
        assert month.one_time.amount == money(expected_one_time(plans, month.start, month_end)), month.label
        rolling = expected_one_time(plans, point - dt.timedelta(days=30), point)
        income = money(
            sum(
                (eur(p.currency, p.monthly_at(point)) for p in plans if p.frequency != "once" and p.runs_at(point)),
                Decimal(0),
            )
            + rolling
        )
        assert month.income.amount == income, month.label
        assert month.gap.amount == max(Decimal(0), campaign.monthly_cost - income)
        running = [p for p in plans if p.frequency != "once" and p.runs_at(point)]
        assert month.recurring_supporters == len(running), month.label
        began = [p for p in plans if p.frequency != "once" and p.started and month.start <= p.started < month_end]
        assert month.started == len(began)
    # The current point is the live figures, exactly.
    with at(NOW):
        live = figures_for(campaign)
    assert history.months[-1].income == live.income
    assert history.months[-1].gap == live.gap


def test_a_months_figures_match_the_plain_record_and_add_up(seeded):
    campaign, plans = seeded
    for month in (dt.date(2026, 6, 1), dt.date(2026, 9, 1), dt.date(2026, 11, 1)):
        span = Span.month_of(month)
        with at(NOW):
            figures = period_figures(campaign, span, now=NOW)
        start, end = span.start, min(span.end, NOW)
        recurring = [p for p in plans if p.frequency != "once"]
        assert figures.mrr_start.amount == expected_mrr(plans, start)
        assert figures.mrr_end.amount == expected_mrr(plans, end)
        new = [p for p in recurring if p.started and start <= p.started < end]
        returning = {
            p.pk
            for p in new
            if p.supporter
            and any(q.supporter == p.supporter and q.ended and q.ended <= p.started for q in recurring if q is not p)
        }
        assert figures.new.count + figures.restarted.count == len(new)
        assert figures.restarted.count == len(returning)
        stopped = [p for p in recurring if p.started and p.ended and start <= p.ended < end]
        for reason, movement in (("cancelled", figures.cancelled), ("lapsed", figures.lapsed)):
            mine = [p for p in stopped if p.reason == reason]
            assert movement.count == len(mine), (span, reason)
            assert movement.mrr.amount == money(sum((eur(p.currency, p.monthly_at(p.ended)) for p in mine), Decimal(0)))
        # The movement explains the change of MRR exactly (up to the cent each part is rounded to).
        explained = figures.mrr_start.amount + figures.net_mrr.amount
        assert abs(explained - figures.mrr_end.amount) <= Decimal("0.05")
        paid = [(p, amount) for p in plans for when, amount, standing in p.payments if standing and start <= when < end]
        assert figures.payments == len(paid)
        assert figures.income.amount == money(sum((eur(p.currency, amount) for p, amount in paid), Decimal(0)))
        by_method_total = sum((total.amount for _n, total in figures.by_method.values()), Decimal(0))
        assert abs(by_method_total - figures.income.amount) <= Decimal("0.05")
        running_at_start = [p for p in recurring if p.runs_at(start)]
        if running_at_start:
            left = [p for p in running_at_start if p.ended and p.ended < end]
            assert figures.churn_rate == (Decimal(len(left)) * 100 / len(running_at_start)).quantize(Decimal("0.01"))


def test_a_currency_without_a_rate_is_named_and_left_out(seeded):
    campaign, plans = seeded
    ExchangeRate.objects.filter(from_currency="GBP").delete()
    with at(NOW):
        history = monthly_history(campaign, months=8, now=NOW)
        figures = period_figures(campaign, Span.month_of(NOW.date()), now=NOW)
    assert history.missing == ("GBP",) and not history.complete
    assert "GBP" in figures.missing
    without = [p for p in plans if p.currency != "GBP"]
    assert history.months[-2].mrr.amount == expected_mrr(without, history.months[-2].at)


def test_the_seeded_ledger_holds_every_kind_it_claims(seeded):
    """Guards the other tests against a seed that would make them agree on nothing."""
    _campaign, plans = seeded
    assert {p.currency for p in plans if p.started} == {"EUR", "USD", "GBP"}
    assert {p.frequency for p in plans if p.started} == {"monthly", "annual", "once"}
    assert {p.reason for p in plans} >= {"cancelled", "lapsed", "refunded"}
    changes = [(before, after) for p in plans for _when, before, after in p.changes]
    assert any(after > before for before, after in changes) and any(after < before for before, after in changes)
    assert sum(len(p.payments) for p in plans) > 150


def test_the_cohorts_match_the_plain_record(seeded):
    from support.revenue.history import add_months, cohorts

    _campaign, plans = seeded
    with at(NOW):
        found = cohorts(months=6, now=NOW)
    assert [c.label for c in found] == [f"2026-{month:02d}" for month in range(6, 12)]
    for cohort in found:
        following = add_months(cohort.start, 1)
        mine = [p for p in plans if p.frequency != "once" and p.started and cohort.start <= p.started < following]
        assert cohort.size == len(mine)
        for index, running in enumerate(cohort.running):
            point = min(add_months(cohort.start, index + 1), NOW)
            assert running == sum(1 for p in mine if p.ended is None or p.ended >= point), (cohort.label, index)


def test_a_periods_mrr_read_from_the_shared_scan_equals_the_query(seeded):
    from support.revenue.history import last_months, scan

    campaign, _plans = seeded
    with at(NOW):
        scanned = scan(last_months(8, NOW))
        for month in (dt.date(2026, 4, 1), dt.date(2026, 8, 1), dt.date(2026, 11, 1)):
            span = Span.month_of(month)
            alone = period_figures(campaign, span, now=NOW)
            shared = period_figures(campaign, span, now=NOW, scanned=scanned)
            assert (shared.mrr_start, shared.mrr_end, shared.running_start, shared.running_end) == (
                alone.mrr_start,
                alone.mrr_end,
                alone.running_start,
                alone.running_end,
            )
