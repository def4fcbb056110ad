"""What the ledger says about money received. Everything that shows money raised (the gap, percent covered,
supporters, conversions and revenue) reads it through here, so totals are always derived, never stored.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from core.money import Money
from support.models.tallies import RECURRING


def _total(currency, on=None):
    """An empty :class:`~support.revenue.amounts.Total` into ``currency`` at the newsroom's dated rates."""
    from support.revenue.amounts import Rates, Total

    return Total(Rates.into(currency, on))


class ArmRevenue(dict):
    """{arm: (conversions, revenue Money)}, and the money left out of the revenue for want of a rate."""

    excluded: tuple = ()


def monthly_recurring_income(campaign) -> Money:
    """Monthly recurring income of active contributions in the campaign's currency (annual ÷ 12)."""
    return recurring_total(campaign).money


def recurring_total(campaign, total=None):
    """Monthly recurring income of active contributions (annual ÷ 12), as a Total at this month's rate (the latest
    on or before today).

    The newsroom's income, whichever campaign a contribution came through: every language's campaign asks to cover
    the same monthly cost, so each shows the same gap. The campaign gives the currency."""
    from support.models import Contribution

    total = total if total is not None else _total(campaign.currency)

    rows = (
        Contribution.objects.filter(status=Contribution.Status.ACTIVE, frequency__in=RECURRING)
        .values("currency", "frequency")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        total.add(row["currency"], row["total"] / 12 if row["frequency"] == "annual" else row["total"])
    return total


#: A one-time gift counts towards the monthly cost for this many days after it arrived, so the gap a reader sees
#: narrows the moment they give once, and widens again as the gift ages out (a rolling month, no jump on the 1st).
ONE_TIME_COUNTS_DAYS = 30


def recent_one_time_income(campaign) -> Money:
    """One-time gifts received in the last ``ONE_TIME_COUNTS_DAYS`` days, in the campaign's currency."""
    return one_time_total(campaign).money


def one_time_total(campaign, total=None):
    """One-time gifts received in the last ``ONE_TIME_COUNTS_DAYS`` days (refunded payments no longer count: their
    state is no longer succeeded), each at the rate of the day it arrived."""
    from support.models import Payment

    total = total if total is not None else _total(campaign.currency)
    since = timezone.now() - dt.timedelta(days=ONE_TIME_COUNTS_DAYS)
    rows = (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED, succeeded_at__gte=since, contribution__frequency="once")
        .annotate(day=TruncDate("succeeded_at", tzinfo=timezone.get_current_timezone()))
        .values("currency", "day")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        total.add(row["currency"], row["total"], row["day"])
    return total


def monthly_income_total(campaign):
    """What covers this month's cost, as a Total: recurring income at this month's rate plus the one-time gifts of
    the last 30 days at their days' rates. ``.money`` is the figure, ``.excluded`` what it leaves out for want of a
    rate."""
    return one_time_total(campaign, recurring_total(campaign))


def monthly_income(campaign) -> Money:
    """What covers this month's cost: recurring income plus the one-time gifts of the last 30 days. The gap and the
    percent covered are computed from it."""
    return monthly_income_total(campaign).money


def supporters_count(campaign) -> int:
    """People with an active recurring contribution or a one-time gift in the last 30 days (anonymous ones each)."""
    from support.models import Contribution, Payment

    since = timezone.now() - dt.timedelta(days=30)
    current = Contribution.objects.filter(
        Q(status=Contribution.Status.ACTIVE)
        | Q(frequency="once", payments__status=Payment.Status.SUCCEEDED, payments__succeeded_at__gte=since)
    ).distinct()
    known = current.exclude(supporter=None).values("supporter").distinct().count()
    return known + current.filter(supporter=None).count()


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of ``day`` in the site's time zone: whole days compared as moments."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_current_timezone())


def conversions_by_arm(campaign, *, start=None, end=None) -> dict:
    """{arm: (conversions, revenue Money)}: contributions started from each of the campaign's asks between ``start``
    and ``end`` (dates, inclusive) that have been paid at least once, and what they have paid so far, in the
    campaign's currency. Only the campaign's own contributions count: "holdback" and "control:…" arms exist in every
    campaign, and the counters they are compared with are per campaign."""
    from support.models import Contribution, Payment

    # One query, from the campaign's contributions of the period (the database starts from their index on the day
    # they were made, then reads each one's payments): per arm and currency, the paid contributions and their money.
    # The period is whole days in the site's time zone, compared as moments (``created_at__date`` would be a
    # function call per row, on SQLite in Python).
    contributions = Contribution.objects.filter(campaign=campaign).exclude(arm="")
    if start is not None:
        contributions = contributions.filter(created_at__gte=day_start(start))
    if end is not None:
        contributions = contributions.filter(created_at__lt=day_start(end + dt.timedelta(days=1)))
    paid = Q(payments__status=Payment.Status.SUCCEEDED)
    # Revenue per arm, currency and month paid: each payment at the rate of the month it was paid in.
    from support.rates import month_rate_day
    from support.revenue.amounts import Rates, Total

    counts_rows = contributions.values("arm").annotate(n=Count("pk", distinct=True, filter=paid))
    counts = {row["arm"]: row["n"] for row in counts_rows.order_by() if row["n"]}
    revenue_rows = (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED, contribution__in=contributions.values("pk"))
        .annotate(month=TruncMonth("succeeded_at", tzinfo=timezone.get_current_timezone()))
        .values("contribution__arm", "currency", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    rates = Rates.into(campaign.currency)
    totals = {}
    for row in revenue_rows:
        total = totals.get(row["contribution__arm"])
        if total is None:
            total = totals[row["contribution__arm"]] = Total(rates)
        month = timezone.localtime(row["month"]).date() if row["month"] else rates.on
        total.add(row["currency"], row["total"], month_rate_day(month))
    result = ArmRevenue()
    excluded = {}
    for arm, n in counts.items():
        total = totals.get(arm) or Total(rates)
        result[arm] = (n, total.money)
        for money in total.excluded:
            excluded[money.currency] = excluded.get(money.currency, Decimal(0)) + money.amount
    result.excluded = tuple(Money(amount, code) for code, amount in sorted(excluded.items()))
    return result
