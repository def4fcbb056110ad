"""What the ledger says about money received. Everything that shows money raised (the gap, percent covered,
supporters, conversions and revenue) reads it through here, so totals are always derived, never stored.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.money import Money
from support.models.tallies import RECURRING


def rates_to(currency):
    """{from_currency: Decimal rate} the newsroom has set for converting into ``currency``."""
    from support.models import ExchangeRate

    rates = {currency: Decimal(1)}
    rates.update(ExchangeRate.objects.filter(to_currency=currency).values_list("from_currency", "rate"))
    return rates


def _convert(totals, currency):
    """Sum {currency: amount} into ``currency`` at the newsroom's rates; currencies without a rate are left out."""
    rates = rates_to(currency)
    return Money(sum((amount * rates[code] for code, amount in totals.items() if code in rates), Decimal(0)), currency)


def monthly_recurring_income(campaign) -> Money:
    """Monthly recurring income of active contributions in the campaign's currency (annual ÷ 12).

    The newsroom's income, whichever campaign a contribution came through: every language's campaign asks to cover
    the same monthly cost, so each shows the same gap. The campaign gives the currency."""
    from support.models import Contribution

    rows = (
        Contribution.objects.filter(status=Contribution.Status.ACTIVE, frequency__in=RECURRING)
        .values("currency", "frequency")
        .annotate(total=Sum("amount"))
    )
    totals = {}
    for row in rows:
        monthly = row["total"] / 12 if row["frequency"] == "annual" else row["total"]
        totals[row["currency"]] = totals.get(row["currency"], Decimal(0)) + monthly
    return _convert(totals, campaign.currency)


#: A one-time gift counts towards the monthly cost for this many days after it arrived, so the gap a reader sees
#: narrows the moment they give once, and widens again as the gift ages out (a rolling month, no jump on the 1st).
ONE_TIME_COUNTS_DAYS = 30


def recent_one_time_income(campaign) -> Money:
    """One-time gifts received in the last ``ONE_TIME_COUNTS_DAYS`` days, in the campaign's currency (refunded
    payments no longer count: their state is no longer succeeded)."""
    from support.models import Payment

    since = timezone.now() - dt.timedelta(days=ONE_TIME_COUNTS_DAYS)
    rows = (
        Payment.objects.filter(status=Payment.Status.SUCCEEDED, succeeded_at__gte=since, contribution__frequency="once")
        .values("currency")
        .annotate(total=Sum("amount"))
    )
    return _convert({row["currency"]: row["total"] for row in rows}, campaign.currency)


def monthly_income(campaign) -> Money:
    """What covers this month's cost: recurring income plus the one-time gifts of the last 30 days. The gap and the
    percent covered are computed from it."""
    return monthly_recurring_income(campaign) + recent_one_time_income(campaign)


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
    rows = contributions.values("arm", "currency").annotate(
        total=Sum("payments__amount", filter=paid), n=Count("pk", distinct=True, filter=paid)
    )
    counts, revenue = {}, {}
    for row in rows.order_by():
        if row["n"]:
            counts[row["arm"]] = counts.get(row["arm"], 0) + row["n"]
            revenue.setdefault(row["arm"], {})[row["currency"]] = row["total"]
    return {arm: (n, _convert(revenue.get(arm, {}), campaign.currency)) for arm, n in counts.items()}
