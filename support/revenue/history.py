"""What the ledger says happened, month by month: recurring income, one-time gifts, the gap, supporters, cohorts.

Definitions (``docs/revenue.md`` gives them for readers of the dashboard too):

* A regular contribution **runs** at a moment ``t`` when its first payment arrived before ``t`` (``started_at``) and
  it had not stopped by then (``ended_at`` empty or not before ``t``). Its **monthly amount** at ``t`` is its amount
  then (the current amount less the changes made after ``t``), a twelfth of it for an annual plan.
* **MRR** at ``t``: the monthly amounts of every contribution running at ``t``. At the present moment it is exactly
  the recurring income of the live figures (``support.ledger.monthly_recurring_income``).
* **One-time gifts** count by the day their payment succeeded, while it still stands (a refunded gift no longer
  counts, in any month).
* The **income** that covers the monthly cost at ``t`` is MRR at ``t`` plus the one-time gifts of the 30 days before
  ``t``, as the live figures count it; the **gap** is the monthly cost less that income (never below zero). The cost is
  the campaign's cost today: the ledger keeps no history of it.
* A month's point is taken at its end (the start of the next month), the current month's at the moment of asking.
* **Recurring supporters** at ``t``: the regular contributions running at ``t`` (a person with two plans counts twice;
  anonymous ones count each).

Queries do not grow with the months shown: the series come from four grouped queries (contributions by the month they
started, by the month they stopped, every amount change, one-time gifts by day), whatever the number of rows.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from core.money import Money
from support.ledger import ONE_TIME_COUNTS_DAYS
from support.models import AmountChange, Contribution, Payment
from support.revenue.amounts import RECURRING, Rates, Total, monthly_amount

P = Payment.Status
BEFORE = (0, 0)  # the month key of everything before the first month shown


def month_start(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def add_months(start: dt.datetime, months: int) -> dt.datetime:
    index = start.year * 12 + start.month - 1 + months
    naive = dt.datetime(index // 12, index % 12 + 1, 1)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def last_months(count: int, now: dt.datetime) -> list[dt.datetime]:
    """The starts of the ``count`` months up to and including the current one, oldest first."""
    current = month_start(now)
    return [add_months(current, -offset) for offset in range(count - 1, -1, -1)]


def _month_key(value) -> tuple[int, int]:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return (value.year, value.month)


def percent_of(part: Decimal, whole: Decimal) -> int:
    """Whole percent, rounded down, 0–100 (as the live figures show it)."""
    if not whole:
        return 0
    return int(min(Decimal(100), (part / whole * 100).to_integral_value(rounding=ROUND_FLOOR)))


# --- MRR at one moment (a period's start and end) --------------------------------------------------------------


def running_at(moment):
    """Regular contributions running at ``moment``."""
    return Contribution.objects.filter(
        frequency__in=RECURRING, started_at__isnull=False, started_at__lt=moment
    ).exclude(ended_at__lt=moment)


def _later_changes(moment):
    """Amount changes after ``moment`` of contributions running at it: what to take off today's amounts."""
    return (
        AmountChange.objects.filter(changed_at__gte=moment, contribution__in=running_at(moment))
        .values("contribution__currency", "contribution__frequency")
        .annotate(delta=Sum(F("after") - F("before")))
    )


def mrr_at(moment, rates: Rates) -> tuple[Total, int]:
    """MRR at ``moment`` and how many contributions make it (two queries)."""
    total, count = Total(rates), 0
    rows = running_at(moment).values("currency", "frequency").annotate(total=Sum("amount"), n=Count("pk"))
    for row in rows:
        total.add(row["currency"], monthly_amount(row["total"], row["frequency"]))
        count += row["n"]
    for row in _later_changes(moment):
        total.add(row["contribution__currency"], -monthly_amount(row["delta"], row["contribution__frequency"]))
    return total, count


def one_time_between(start, end, rates: Rates) -> tuple[Total, int]:
    total, count = Total(rates), 0
    rows = (
        Payment.objects.filter(
            status=P.SUCCEEDED, contribution__frequency="once", succeeded_at__gte=start, succeeded_at__lt=end
        )
        .values("currency")
        .annotate(total=Sum("amount"), n=Count("pk"))
    )
    for row in rows:
        total.add(row["currency"], row["total"])
        count += row["n"]
    return total, count


# --- the monthly series ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    start: dt.datetime  # the month's first moment
    at: dt.datetime  # the moment its figures are taken: the month's end, or now for the current month
    current: bool
    mrr: Money
    one_time: Money  # one-time gifts received in the month
    income: Money  # MRR + one-time gifts of the 30 days before ``at``: what covers the cost
    cost: Money
    gap: Money
    percent: int
    recurring_supporters: int
    one_time_gifts: int
    started: int  # regular contributions that started in the month
    ended: int  # regular contributions that stopped in the month (cancelled, lapsed or refunded)
    missing: tuple  # currencies left out for want of a rate

    @property
    def label(self) -> str:
        return self.start.strftime("%Y-%m")


@dataclass(frozen=True)
class History:
    currency: str
    months: list
    missing: tuple

    @property
    def complete(self) -> bool:
        return not self.missing


def _grouped_starts():
    return (
        Contribution.objects.filter(frequency__in=RECURRING, started_at__isnull=False)
        .annotate(month=TruncMonth("started_at"))
        .values("month", "currency", "frequency")
        .annotate(total=Sum("amount"), n=Count("pk"))
    )


def _grouped_ends():
    return (
        Contribution.objects.filter(frequency__in=RECURRING, started_at__isnull=False, ended_at__isnull=False)
        .annotate(month=TruncMonth("ended_at"))
        .values("month", "currency", "frequency")
        .annotate(total=Sum("amount"), n=Count("pk"))
    )


def monthly_history(campaign, *, months: int = 24, currency: str | None = None, now=None) -> History:
    """The last ``months`` months (the current one last, taken now), in ``currency`` (the campaign's by default)."""
    now = now or timezone.now()
    rates = Rates.into(currency or campaign.currency)
    starts = last_months(months, now)
    points = [*(add_months(start, 1) for start in starts[:-1]), now]
    keys = [_month_key(start) for start in starts]
    first = keys[0]

    # Today's amounts of what started and stopped, summed per month (and everything before the first month).
    started, ended = {}, {}
    started_count, ended_count = {}, {}
    for rows, amounts, counts in ((_grouped_starts(), started, started_count), (_grouped_ends(), ended, ended_count)):
        for row in rows:
            key = _month_key(row["month"])
            key = key if key >= first else BEFORE
            amounts.setdefault(key, Total(rates)).add(row["currency"], monthly_amount(row["total"], row["frequency"]))
            counts[key] = counts.get(key, 0) + row["n"]

    # Amount changes: few rows, kept whole to take off each point's later changes.
    changes = list(
        AmountChange.objects.filter(contribution__started_at__isnull=False).values_list(
            "changed_at",
            "after",
            "before",
            "contribution__currency",
            "contribution__frequency",
            "contribution__started_at",
            "contribution__ended_at",
        )
    )

    # One-time gifts by day, from 30 days before the first month (for the rolling income) to now.
    since = starts[0] - dt.timedelta(days=ONE_TIME_COUNTS_DAYS)
    gifts = (
        Payment.objects.filter(status=P.SUCCEEDED, contribution__frequency="once", succeeded_at__gte=since)
        .annotate(day=TruncDate("succeeded_at"))
        .values("day", "currency")
        .annotate(total=Sum("amount"), n=Count("pk"))
    )
    by_day = {}
    for row in gifts:
        entry = by_day.setdefault(row["day"], [Total(rates), 0])
        entry[0].add(row["currency"], row["total"])
        entry[1] += row["n"]

    cost = Money(campaign.monthly_cost, rates.currency)
    running = Total(rates)
    running += started.get(BEFORE, Total(rates))  # what ran before the first month shown
    for currency, amount in ended.get(BEFORE, Total(rates)).by_currency.items():
        running.add(currency, -amount)
    running_count = started_count.get(BEFORE, 0) - ended_count.get(BEFORE, 0)

    series, missing = [], set()
    for start, at, key in zip(starts, points, keys, strict=True):
        running += started.get(key, Total(rates))
        for currency, amount in ended.get(key, Total(rates)).by_currency.items():
            running.add(currency, -amount)
        running_count += started_count.get(key, 0) - ended_count.get(key, 0)
        mrr = running.copy()
        for changed_at, after, before, code, frequency, began, stopped in changes:
            if changed_at >= at and began < at and (stopped is None or stopped >= at):
                mrr.add(code, -monthly_amount(after - before, frequency))
        month_gifts, month_count = Total(rates), 0
        for day, (total, n) in by_day.items():
            if _month_key(day) == key:
                month_gifts += total
                month_count += n
        window_start = at - dt.timedelta(days=ONE_TIME_COUNTS_DAYS)
        if at == now:  # the current point counts to the second, as the live figures do
            rolling = one_time_between(window_start, at, rates)[0]
        else:  # a month's end is a midnight: the 30 whole days before it
            rolling = _days_sum(by_day, window_start, at, rates)
        income = Total(rates)
        income += mrr
        income += rolling
        for total in (mrr, month_gifts, income):
            missing.update(total.missing)
        income_money = income.money
        series.append(
            Month(
                start=start,
                at=at,
                current=at == now,
                mrr=mrr.money,
                one_time=month_gifts.money,
                income=income_money,
                cost=cost,
                gap=(cost - income_money).clamp_at_zero(),
                percent=percent_of(income_money.amount, cost.amount),
                recurring_supporters=running_count,
                one_time_gifts=month_count,
                started=started_count.get(key, 0),
                ended=ended_count.get(key, 0),
                missing=tuple(sorted(set(mrr.missing) | set(income.missing) | set(month_gifts.missing))),
            )
        )
    return History(rates.currency, series, tuple(sorted(missing)))


def _days_sum(by_day, start, end, rates) -> Total:
    """The gifts of the whole days from ``start`` up to (not including) ``end``."""
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    total = Total(rates)
    for day, (amounts, _n) in by_day.items():
        if first <= day < last:
            total += amounts
    return total
