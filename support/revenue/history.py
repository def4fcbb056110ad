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

Queries do not grow with the months shown or the rows: the series come from four queries — the running sums of the
started regular contributions by the month they started and the month they stopped (``support.models.PlanTally``),
every amount change, the one-time gifts by day (``support.models.GiftTally``), and the payments of the last 30 days
for the current point — and the cohorts from the first of them. The tallies hold a few rows per month (pair), so
neither the ledger's size nor its age in rows makes the page slower.
"""

import bisect
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.money import Money
from support.figures import percent_of
from support.ledger import ONE_TIME_COUNTS_DAYS
from support.models import AmountChange, Contribution, GiftTally, Payment, PlanTally
from support.models.tallies import RUNNING, local_day, month_number, summed
from support.rates import rate_day
from support.revenue.amounts import RECURRING, Rates, Total, monthly_amount

P = Payment.Status


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


# --- buckets: months as indices --------------------------------------------------------------------------------
# The history's months are buckets of its boundaries (month starts in the site's time zone): 0 before the first,
# ``i`` for ``[boundaries[i-1], boundaries[i])``, ``len(boundaries)`` after the last; the tallies' months and days
# fall into them by bisection.

#: A standing one-time gift: a succeeded payment (a refunded one no longer counts) of a one-time contribution, as the
#: live figures count it (``support.ledger.recent_one_time_income``) and :class:`~support.models.GiftTally` sums it.
ONE_TIME = {"contribution__frequency": "once"}
NOT_YET = -1  # the bucket of an empty moment (a contribution still running)


@dataclass(frozen=True)
class Scan:
    """Every started regular contribution, summed by (start bucket, end bucket, currency, frequency): one query
    that the history, the cohorts and the period's MRR all read. ``boundaries`` are month starts, the last one the
    start of the month after the current one."""

    boundaries: list
    rows: list  # (start bucket, end bucket, currency, frequency, today's amounts summed, count)
    changes: list  # every amount change: (changed_at, after − before, currency, frequency, started_at, ended_at)

    def running(self, index, rates: Rates, *, current=False) -> tuple[Total, int]:
        """Today's monthly amounts and the number of the contributions running at ``boundaries[index]`` (at now, in
        the current month, with ``current``): started before it, and not stopped before it. Bucket ``i`` holds
        ``[boundaries[i-1], boundaries[i])``."""
        starting, stopping, still = self._steps
        total = Total(rates)
        plus, minus = (still, {}) if current else (starting, stopping)
        for sign, table in ((1, plus), (-1, minus)):
            for key, amounts in table.items():
                if key is not None:
                    code, frequency = key
                    total.add(code, sign * monthly_amount(sum(amounts[: index + 1], Decimal(0)), frequency))
        count = sum(plus[None][: index + 1]) - (sum(minus[None][: index + 1]) if minus else 0)
        return total, count

    @cached_property
    def _steps(self):
        """Per (currency, frequency), the amounts that start running in each bucket, those that stop (a row stopped
        in bucket ``s`` no longer runs at ``boundaries[s]``), and those still running; ``None`` keys hold counts."""
        size = len(self.boundaries) + 1
        starting, stopping, still = {}, {}, {}

        def add(table, key, index, value):
            table.setdefault(key, [0] * size)[index] += value

        for began, stopped, code, frequency, amount, n in self.rows:
            add(starting, (code, frequency), began, amount)
            add(starting, None, began, n)
            if stopped == NOT_YET:
                add(still, (code, frequency), began, amount)
                add(still, None, began, n)
            else:
                add(stopping, (code, frequency), max(began, stopped), amount)
                add(stopping, None, max(began, stopped), n)
        for table in (starting, stopping, still):
            table.setdefault(None, [0] * size)
        return starting, stopping, still

    def mrr_at(self, moment, now, rates: Rates) -> tuple[Total, int] | None:
        """MRR at one of the boundaries, or at ``now`` (in the last month), from the rows alone; None otherwise."""
        if moment in self.boundaries[:-1]:
            total, count = self.running(self.boundaries.index(moment), rates)
        elif moment == now and self.boundaries[-2] <= now < self.boundaries[-1]:
            total, count = self.running(len(self.boundaries) - 1, rates, current=True)
        else:
            return None
        total += self.later_changes(now, rates)[moment]
        return total, count

    def later_changes(self, now, rates: Rates) -> dict:
        """What to add to today's amounts for MRR at each boundary (but the last) and at ``now``: every amount change
        walked once per view currency, however many figures read it."""
        memo = self._later_memo
        if (now, rates.currency) not in memo:
            points = sorted({*self.boundaries[:-1], now})
            memo[(now, rates.currency)] = dict(zip(points, _later_changes_at(self.changes, points, rates), strict=True))
        return memo[(now, rates.currency)]

    @cached_property
    def _later_memo(self) -> dict:
        return {}

    @cached_property
    def started_and_ended(self) -> tuple[dict, dict]:
        """How many regular contributions started, and stopped, in each bucket."""
        started, ended = {}, {}
        for began, stopped, _code, _frequency, _total, n in self.rows:
            started[began] = started.get(began, 0) + n
            if stopped != NOT_YET:
                ended[stopped] = ended.get(stopped, 0) + n
        return started, ended


def scan(starts) -> Scan:
    """The started regular contributions by the buckets of ``starts`` (and the month after the last), read from
    :class:`~support.models.PlanTally` — a few rows per month pair, however many contributions — and every amount
    change."""
    boundaries = [*starts, add_months(starts[-1], 1)]
    numbers = [month_number(boundary) for boundary in boundaries]
    sums: dict = {}
    tallies = summed(PlanTally.objects.all(), ("began", "stopped", "currency", "frequency"))
    for began, stopped, code, frequency, total, count in tallies:
        key = (
            bisect.bisect_right(numbers, began),
            NOT_YET if stopped == RUNNING else bisect.bisect_right(numbers, stopped),
            code,
            frequency,
        )
        entry = sums.setdefault(key, [Decimal(0), 0])
        entry[0] += total
        entry[1] += count
    return Scan(boundaries, [(*key, total, n) for key, (total, n) in sums.items()], amount_changes())


def amount_changes() -> list:
    """Every amount change of a started regular contribution: (changed_at, after − before, currency, frequency,
    started_at, ended_at). The changes are few, the contributions many: the changes are read first, then only their
    contributions by primary key (a join lets PostgreSQL hash every contribution for a couple of thousand changes)."""
    rows = list(AmountChange.objects.values_list("contribution_id", "changed_at", "after", "before"))
    ids = sorted({row[0] for row in rows})
    plans = {}
    for offset in range(0, len(ids), CHUNK):
        chunk = Contribution.objects.filter(pk__in=ids[offset : offset + CHUNK], started_at__isnull=False)
        for pk, *values in chunk.values_list("pk", "currency", "frequency", "started_at", "ended_at"):
            plans[pk] = values
    return [(when, after - before, *plans[pk]) for pk, when, after, before in rows if pk in plans]


#: Primary keys asked for at once (well under SQLite's limit of bound parameters).
CHUNK = 20_000


def _later_changes_at(changes, points, rates: Rates) -> list:
    """For each of the ascending ``points``, what to add to today's amounts to get MRR there: the changes made at or
    after the point to contributions running at it, taken off. One pass over the changes: a change counts at every
    point after its contribution began, up to the change itself and the contribution's end — a run of consecutive
    points, found by bisection."""
    steps = [Total(rates) for _point in range(len(points) + 1)]
    for changed_at, delta, code, frequency, began, ended in changes:
        upper = changed_at if ended is None else min(changed_at, ended)
        first, last = bisect.bisect_right(points, began), bisect.bisect_right(points, upper)
        if first < last:
            amount = monthly_amount(delta, frequency)
            steps[first].add(code, -amount)
            steps[last].add(code, amount)
    running, result = Total(rates), []
    for step in steps[:-1]:
        running += step
        result.append(running.copy())
    return result


# --- MRR at any moments (a period's start and end) --------------------------------------------------------------


def mrr_at_many(moments, rates: Rates, changes=None) -> list:
    """``[(MRR Total, contributions running)]`` at each of ``moments``: one query for all of them (each moment a
    conditional sum over the same rows), and the amount changes (``changes`` from a :class:`Scan`, else read)."""
    if changes is None:
        changes = amount_changes()
    aggregates = {}
    for index, moment in enumerate(moments):
        running = Q(started_at__lt=moment) & (Q(ended_at__isnull=True) | Q(ended_at__gte=moment))
        aggregates[f"total{index}"] = Sum("amount", filter=running)
        aggregates[f"n{index}"] = Count("pk", filter=running)
    rows = list(
        Contribution.objects.filter(frequency__in=RECURRING, started_at__isnull=False)
        .values("currency", "frequency")
        .annotate(**aggregates)
        .order_by()
    )
    result = []
    for index, moment in enumerate(moments):
        total, count = Total(rates), 0
        for row in rows:
            total.add(row["currency"], monthly_amount(row[f"total{index}"] or Decimal(0), row["frequency"]))
            count += row[f"n{index}"]
        total += _later_changes_at(changes, [moment], rates)[0]
        result.append((total, count))
    return result


def one_time_between(start, end, rates: Rates) -> tuple[Total, int]:
    """The standing one-time gifts that succeeded in ``[start, end)``: its whole days from
    :class:`~support.models.GiftTally`, the parts of days at either end from their payments."""
    total, count = Total(rates), 0
    if start >= end:
        return total, count
    first = start if start == _day_start(start) else _day_start(start + dt.timedelta(days=1))
    last = max(first, _day_start(end))
    if first < last:
        days = GiftTally.objects.filter(day__gte=local_day(first), day__lt=local_day(last))
        for day, code, amount, n in summed(days, ("day", "currency")):
            total.add(code, amount, day)  # a gift at the rate of its day
            count += n
    for part_start, part_end in ((start, min(first, end)), (max(last, start), end)):
        if part_start < part_end:
            part, n = _one_time_paid(part_start, part_end, rates)
            total += part
            count += n
    return total, count


def _one_time_paid(start, end, rates: Rates) -> tuple[Total, int]:
    total, count = Total(rates), 0
    rows = (
        Payment.objects.filter(status=P.SUCCEEDED, succeeded_at__gte=start, succeeded_at__lt=end, **ONE_TIME)
        .values("currency")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    day = local_day(start)  # a part of one day
    for row in rows:
        total.add(row["currency"], row["total"], day)
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
    recent_gifts: Total | None = None  # the one-time gifts of the last 30 days, as the current point counts them

    @property
    def complete(self) -> bool:
        return not self.missing


def _gifts(boundaries, points, rates):
    """One-time gifts per month bucket, and in the 30 days before each point, from
    :class:`~support.models.GiftTally` (a row per day and currency, up to date to the last save). A month point's
    window is whole days; one that starts and ends within a day (the point ``now``) is :func:`one_time_between`'s."""
    days = [local_day(boundary) for boundary in boundaries]
    windows = [(local_day(point - dt.timedelta(days=ONE_TIME_COUNTS_DAYS)), local_day(point)) for point in points]
    by_month, rolling = {}, [Total(rates) for _point in points]
    since = min(days[0], windows[0][0])
    tallies = sorted(summed(GiftTally.objects.filter(day__gte=since), ("day", "currency")))
    running = {}  # per currency: the days in order and the sums up to each of them
    for day, code, total, count in tallies:
        entry = by_month.setdefault(bisect.bisect_right(days, day), [Total(rates), 0])
        entry[0].add(code, total, day)
        entry[1] += count
        seen, amounts = running.setdefault(code, ([], []))
        seen.append(day)
        amounts.append(total)
    for index, (point, (first, last)) in enumerate(zip(points, windows, strict=True)):
        if point != _day_start(point):
            rolling[index], _count = one_time_between(point - dt.timedelta(days=ONE_TIME_COUNTS_DAYS), point, rates)
            continue
        for code, (seen, amounts) in running.items():
            # each day's gifts at that day's rate: a few dozen days a point
            for position in range(bisect.bisect_left(seen, first), bisect.bisect_left(seen, last)):
                rolling[index].add(code, amounts[position], seen[position])
    return by_month, rolling


def _day_start(moment: dt.datetime) -> dt.datetime:
    """The first moment of ``moment``'s day in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(local_day(moment), dt.time()), timezone.get_current_timezone())


def monthly_history(campaign, *, months: int = 24, currency: str | None = None, now=None, scanned=None) -> History:
    """The last ``months`` months (the current one last, taken now), in ``currency`` (the campaign's by default).
    ``scanned``: a :class:`Scan` of the same months already made (the dashboard shares one)."""
    now = now or timezone.now()
    rates = Rates.into(currency or campaign.currency)
    starts = last_months(months, now)
    scanned = scanned if scanned is not None and scanned.boundaries[: len(starts)] == starts else scan(starts)
    points = [*starts[1:], now]
    by_month, rolling = _gifts(scanned.boundaries, points, rates)
    later = scanned.later_changes(now, rates) if now < scanned.boundaries[-1] else None
    later = [later[point] for point in points] if later else _later_changes_at(scanned.changes, points, rates)
    started_in, ended_in = scanned.started_and_ended
    cost = Money(campaign.monthly_cost, rates.currency)

    series, missing = [], set()
    for index, (start, at) in enumerate(zip(starts, points, strict=True)):
        month_bucket = index + 1  # bucket i holds [boundaries[i-1], boundaries[i])
        current = at == now
        mrr, running = scanned.running(month_bucket, rates, current=current)
        mrr += later[index]
        mrr.at(rate_day(at))  # MRR at the month's rate: its last day's, today's in the current month
        started, ended = started_in.get(month_bucket, 0), ended_in.get(month_bucket, 0)
        month_gifts, month_count = by_month.get(month_bucket, (Total(rates), 0))
        income = mrr.copy()
        income += rolling[index]
        for total in (mrr, month_gifts, income):
            missing.update(total.missing)
        income_money = income.money
        series.append(
            Month(
                start=start,
                at=at,
                current=current,
                mrr=mrr.money,
                one_time=month_gifts.money,
                income=income_money,
                cost=cost,
                gap=(cost - income_money).clamp_at_zero(),
                percent=percent_of(income_money.amount, cost.amount),
                recurring_supporters=running,
                one_time_gifts=month_count,
                started=started,
                ended=ended,
                missing=tuple(sorted(set(mrr.missing) | set(income.missing) | set(month_gifts.missing))),
            )
        )
    return History(rates.currency, series, tuple(sorted(missing)), rolling[-1])


# --- retention by cohort ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    start: dt.datetime  # the month the cohort's plans started in
    size: int
    running: list  # how many still ran at the end of each month since (the cohort's own month first), up to now

    @property
    def label(self) -> str:
        return self.start.strftime("%Y-%m")

    def share(self, index: int) -> int | None:
        """Whole percent of the cohort still running at the end of its ``index``-th month."""
        if index >= len(self.running) or not self.size:
            return None
        return round(self.running[index] * 100 / self.size)


def cohorts(*, months: int = 12, now=None, scanned=None) -> list:
    """The regular contributions that started in each of the last ``months`` months, and how many of them still ran
    at the end of every month since (the current month: now). Read from a :class:`Scan` (one query)."""
    now = now or timezone.now()
    starts = last_months(months, now)
    if scanned is None or not set(starts) <= set(scanned.boundaries):
        scanned = scan(starts)
    offset = scanned.boundaries.index(starts[0])  # the first cohort's month is bucket offset + 1
    last = len(scanned.boundaries) - 1  # the current month's bucket
    result = []
    for index, start in enumerate(starts):
        own = offset + 1 + index
        rows = [(stopped, n) for began, stopped, _c, _f, _t, n in scanned.rows if began == own]
        size = sum(n for _stopped, n in rows)
        running = [
            size - sum(n for stopped, n in rows if stopped != NOT_YET and stopped <= later)
            for later in range(own, last + 1)
        ]
        result.append(Cohort(start, size, running))
    return result
