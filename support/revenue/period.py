"""The figures of one period — a month by default, any range of whole days — as the dashboard shows them.

With ``start`` and ``end`` the period's first moment and the moment after its last (``end`` never later than now):

* **MRR** at the start and at the end (``support.revenue.history``), and its movement split into *new*
  (contributions whose first payment arrived in the period, at the amount they started with), *restarted* (the same,
  by a supporter whose earlier regular contribution had stopped before), *expansion* and *contraction* (amount changes
  in the period of contributions running then) and *churn* (the monthly amount of contributions that stopped in the
  period: cancelled, lapsed or refunded). ``start MRR + new + restarted + expansion − contraction − churn = end MRR``.
* **Churn rate**: regular contributions that stopped in the period over those running at its start.
* **Income**: payments that succeeded in the period and still stand, in all and by method, frequency, currency and
  the language of the campaign that brought them; **refunds** and **disputes** made in the period; the **average
  gift** is income over the number of those payments.
* **The gap** at the period's end: the monthly cost less MRR at the end and the one-time gifts of the 30 days before
  it (the live figures' rule; for a period that ends now it is exactly the panel's figure).

Each figure costs one or two grouped queries, whatever the number of rows.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Sum
from django.utils import timezone

from core.money import Money
from support.figures import percent_of
from support.ledger import ONE_TIME_COUNTS_DAYS, day_start
from support.models import AmountChange, Campaign, Contribution, EndReason, Payment, PaymentTally, Refund
from support.models.tallies import month_number
from support.rates import month_number_rate_day, rate_day
from support.revenue.amounts import RECURRING, Rates, Total, monthly_amount
from support.revenue.history import add_months, amount_changes, month_start, mrr_at_many, one_time_between

P = Payment.Status


@dataclass(frozen=True)
class Span:
    """Whole days ``first``–``last`` (both included) in the site's time zone."""

    first: dt.date
    last: dt.date

    @classmethod
    def month_of(cls, day: dt.date) -> "Span":
        start = day.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
        return cls(start, following - dt.timedelta(days=1))

    @property
    def start(self) -> dt.datetime:
        return day_start(self.first)

    @property
    def end(self) -> dt.datetime:
        return day_start(self.last + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> "Span":
        """The period before: the month before a whole month, else as many days just before."""
        if self.first.day == 1 and self == Span.month_of(self.first):
            return Span.month_of(self.first - dt.timedelta(days=1))
        return Span(self.first - dt.timedelta(days=self.days), self.first - dt.timedelta(days=1))


@dataclass(frozen=True)
class Movement:
    count: int
    mrr: Money


@dataclass
class PeriodFigures:
    span: Span
    currency: str
    start: dt.datetime
    end: dt.datetime  # the period's end, or now when the period reaches today
    mrr_start: Money
    mrr_end: Money
    running_start: int
    running_end: int
    new: Movement
    restarted: Movement
    expansion: Movement
    contraction: Movement
    cancelled: Movement
    lapsed: Movement
    refunded_plans: Movement  # regular contributions that ended because every payment was given back
    income: Money
    payments: int
    one_time_income: Money
    recurring_income: Money
    refunds: Money
    refunds_count: int
    disputes: Money
    disputes_count: int
    cost: Money
    covering_income: Money  # MRR at the end + one-time gifts of the 30 days before it
    gap: Money
    percent: int
    by_method: dict = field(default_factory=dict)  # {key: (count, Money)}
    by_frequency: dict = field(default_factory=dict)
    by_currency: dict = field(default_factory=dict)  # {currency: (count, Money in that currency, Money converted)}
    by_language: dict = field(default_factory=dict)
    missing: tuple = ()
    missing_days: dict = field(default_factory=dict)  # {currency: (first day, last day)} without a rate
    excluded: tuple = ()  # the money of the gap's income left out for want of a rate, in its own currencies
    stopped_of_running: int = 0  # of the contributions running at the start, how many stopped in the period

    @property
    def churn(self) -> Movement:
        parts = (self.cancelled, self.lapsed, self.refunded_plans)
        return Movement(sum(p.count for p in parts), _money_sum([p.mrr for p in parts], self.currency))

    @property
    def net_mrr(self) -> Money:
        gained = self.new.mrr + self.restarted.mrr + self.expansion.mrr
        return gained - self.contraction.mrr - self.churn.mrr

    @property
    def churn_rate(self) -> Decimal | None:
        """Share (0–100, two decimals) of the contributions running at the start that stopped in the period."""
        if not self.running_start:
            return None
        return (Decimal(self.stopped_of_running) * 100 / self.running_start).quantize(Decimal("0.01"))

    @property
    def average_gift(self) -> Money | None:
        return Money(self.income.amount / self.payments, self.currency) if self.payments else None


#: What the period's payments are grouped by: enough for every breakdown of the income and for the attribution.
PAYMENT_GROUPS = (
    "contribution__method",
    "contribution__frequency",
    "currency",
    "contribution__campaign__language",
    "contribution__arm",
    "contribution__article_id",
    "contribution__referrer_host",
)


def payments_between(start, end) -> list:
    """The payments that succeeded in ``[start, end)`` and still stand, summed per :data:`PAYMENT_GROUPS`: what the
    income's breakdowns and the attribution both read. A month the span covers — or covers up to its last payment,
    as the current month up to now — is read from :class:`~support.models.PaymentTally`, in one query for all such
    months; only the part of a month cut by the span is read from its payments."""
    tallied, parts = [], []
    month = month_start(start)
    while month < end:
        after = add_months(month, 1)
        first, last = max(start, month), min(end, after)
        if _nothing_paid(month, first) and _nothing_paid(last, after):
            tallied.append(month_number(month))
        else:
            parts.append((first, last))
        month = after
    sums: dict = {}
    if tallied:
        languages = dict(Campaign.objects.values_list("pk", "language"))
        rows = (
            PaymentTally.objects.filter(month__in=tallied)
            .values("month", "method", "frequency", "currency", "campaign", "arm", "article", "referrer_host")
            .annotate(sum=Sum("total"), n=Sum("count"))
            .order_by()
        )
        for row in rows:
            key = (
                row["method"],
                row["frequency"],
                row["currency"],
                languages.get(row["campaign"]),
                row["arm"],
                row["article"] or None,
                row["referrer_host"],
                row["month"],
            )
            _sum_into(sums, key, row["sum"], row["n"])
    for first, last in parts:
        paid = Payment.objects.filter(status=P.SUCCEEDED, succeeded_at__gte=first, succeeded_at__lt=last)
        for row in paid.values(*PAYMENT_GROUPS).annotate(total=Sum("amount"), n=Count("pk")).order_by():
            key = (*(row[name] for name in PAYMENT_GROUPS), month_number(first))
            _sum_into(sums, key, row["total"], row["n"])
    # each row keeps its month: its income is converted at that month's rate
    return [
        {**dict(zip((*PAYMENT_GROUPS, "month"), key, strict=True)), "total": total, "n": n}
        for key, (total, n) in sums.items()
        if total or n  # a key whose appended rows cancel out
    ]


def _nothing_paid(start, end) -> bool:
    """No payment succeeded in ``[start, end)`` (an empty span, or one after the last payment)."""
    return start >= end or not Payment.objects.filter(succeeded_at__gte=start, succeeded_at__lt=end).exists()


def _sum_into(sums, key, total, n):
    entry = sums.setdefault(key, [Decimal(0), 0])
    entry[0] += total
    entry[1] += n


def _money_sum(values, currency):
    return Money(sum((value.amount for value in values), Decimal(0)), currency)


def _new_contributions(start, end):
    return Contribution.objects.filter(frequency__in=RECURRING, started_at__gte=start, started_at__lt=end)


def _start_amounts(started, rates) -> tuple[tuple[Total, int], tuple[Total, int]]:
    """The monthly amount each contribution of ``started`` began with (today's less every change since it began),
    summed apart for first-time supporters and returning ones: one query for the contributions, one for the few
    amount changes among them."""
    sums = {False: [Total(rates), 0], True: [Total(rates), 0]}
    rows = started.values("returning", "currency", "frequency").annotate(total=Sum("amount"), n=Count("pk"))
    for row in rows.order_by():
        entry = sums[bool(row["returning"])]
        entry[0].add(row["currency"], monthly_amount(row["total"], row["frequency"]))
        entry[1] += row["n"]
    changes = (
        AmountChange.objects.filter(contribution__in=started.values("pk"), changed_at__gt=F("contribution__started_at"))
        .annotate(returning=Exists(_earlier_plan("contribution__")))
        .values("returning", "contribution__currency", "contribution__frequency")
        .annotate(delta=Sum(F("after") - F("before")))
    )
    for row in changes.order_by():
        delta = monthly_amount(row["delta"], row["contribution__frequency"])
        sums[bool(row["returning"])][0].add(row["contribution__currency"], -delta)
    return tuple(sums[False]), tuple(sums[True])


def _earlier_plan(prefix=""):
    """A regular contribution of the same supporter (``prefix`` leads to the contribution) that had stopped before
    this one started: what makes a new plan a restarted one."""
    return Contribution.objects.filter(
        supporter=OuterRef(f"{prefix}supporter"),
        supporter__isnull=False,
        frequency__in=RECURRING,
        started_at__isnull=False,
        ended_at__lte=OuterRef(f"{prefix}started_at"),
    ).exclude(pk=OuterRef(f"{prefix}pk"))


def _movement(total: Total, count: int, missing: set) -> Movement:
    missing.update(total.missing)
    return Movement(count, total.money)


def period_figures(
    campaign,
    span: Span,
    *,
    currency: str | None = None,
    now=None,
    scanned=None,
    with_income=True,
    paid=None,
    recent_gifts=None,
) -> PeriodFigures:
    """``scanned``: a :class:`~support.revenue.history.Scan` already made, whose rows give MRR at month boundaries
    and now without another query; ``paid``: :func:`payments_between` of the period, already read;
    ``recent_gifts``: the one-time gifts of the 30 days before now, when the period ends now. Without
    ``with_income`` the income, its breakdowns and the refunds are left at zero (the period before, on the
    dashboard, shows only its MRR movement)."""
    now = now or timezone.now()
    start, end = span.start, min(span.end, now)
    # the period's figures at the rate of its last day; MRR at its start at the start's; income at each month's rate
    rates = Rates.into(currency or campaign.currency, on=rate_day(end))
    today = timezone.localdate(now)
    missing: set = set()
    missing_days: dict = {}  # {currency: (first day, last day)} that figures needed a rate for and had none

    known = [scanned.mrr_at(moment, now, rates) if scanned is not None else None for moment in (start, end)]
    asked = [moment for moment, found in zip((start, end), known, strict=True) if found is None]
    answers = iter(mrr_at_many(asked, rates, scanned.changes if scanned else None) if asked else ())
    (mrr_start, running_start), (mrr_end, running_end) = (found or next(answers) for found in known)
    mrr_start.at(rate_day(start))
    mrr_end.at(rate_day(end))

    # New and restarted: started in the period; restarted if the same supporter had a plan that stopped before.
    started = _new_contributions(start, end).annotate(returning=Exists(_earlier_plan()))
    first_time, returning = _start_amounts(started, rates)
    new = _movement(*first_time, missing)
    restarted = _movement(*returning, missing)

    # Expansion and contraction: changes in the period to contributions that were running when they were made.
    expansion, contraction = Total(rates), Total(rates)
    counts = {"up": 0, "down": 0}
    every_change = scanned.changes if scanned is not None else amount_changes()
    for changed_at, difference, code, frequency, began, _ended in every_change:
        if not (start <= changed_at < end and changed_at > began):
            continue
        delta = monthly_amount(difference, frequency)
        if delta > 0:
            expansion.add(code, delta)
            counts["up"] += 1
        elif delta < 0:
            contraction.add(code, -delta)
            counts["down"] += 1
    expansion_m = _movement(expansion, counts["up"], missing)
    contraction_m = _movement(contraction, counts["down"], missing)

    # Churn: what stopped in the period, at the amount it had then (today's: no change follows an end).
    stopped = Contribution.objects.filter(
        frequency__in=RECURRING, started_at__isnull=False, ended_at__gte=start, ended_at__lt=end
    )
    ends = {reason: [Total(rates), 0] for reason in EndReason.values}
    for row in stopped.values("end_reason", "currency", "frequency").annotate(total=Sum("amount"), n=Count("pk")):
        entry = ends.setdefault(row["end_reason"] or EndReason.CANCELLED, [Total(rates), 0])
        entry[0].add(row["currency"], monthly_amount(row["total"], row["frequency"]))
        entry[1] += row["n"]
    stopped_of_running = stopped.filter(started_at__lt=start).count()

    # Income of the period, one grouped query for every breakdown.
    income, payments = Total(rates), 0
    one_time, recurring = Total(rates), Total(rates)
    by_method, by_frequency, by_currency, by_language = {}, {}, {}, {}
    rows = (paid if paid is not None else payments_between(start, end)) if with_income else []
    for row in rows:
        code, amount, n = row["currency"], row["total"], row["n"]
        day = month_number_rate_day(row["month"], today)
        income.add(code, amount, day)
        payments += n
        (one_time if row["contribution__frequency"] == "once" else recurring).add(code, amount, day)
        for table, key in (
            (by_method, row["contribution__method"]),
            (by_frequency, row["contribution__frequency"]),
            (by_language, row["contribution__campaign__language"] or ""),
        ):
            entry = table.setdefault(key, [0, Total(rates)])
            entry[0] += n
            entry[1].add(code, amount, day)
        entry = by_currency.setdefault(code, [0, Decimal(0), Total(rates)])
        entry[0] += n
        entry[1] += amount
        entry[2].add(code, amount, day)

    refunds = {kind: [Total(rates), 0] for kind in Refund.Kind.values}
    given_back = Refund.objects.filter(created_at__gte=start, created_at__lt=end)
    if not with_income:
        given_back = given_back.none()
    for row in given_back.values("kind", "currency").annotate(total=Sum("amount"), n=Count("pk")):
        entry = refunds.setdefault(row["kind"], [Total(rates), 0])
        entry[0].add(row["currency"], row["total"])
        entry[1] += row["n"]

    gifts = Total(rates)
    if with_income and recent_gifts is not None and end == now:
        gifts = recent_gifts
    elif with_income:
        gifts, _count = one_time_between(end - dt.timedelta(days=ONE_TIME_COUNTS_DAYS), end, rates)
    covering = mrr_end.copy()
    covering += gifts
    cost = Money(campaign.monthly_cost, rates.currency)
    for total in (mrr_start, mrr_end, income, covering, *(e[0] for e in refunds.values())):
        missing.update(total.missing)
        for code, (first, last) in total.missing_days.items():
            was = missing_days.get(code, (first, last))
            missing_days[code] = (min(was[0], first), max(was[1], last))

    def converted(table):
        return {key: (n, total.money) for key, (n, total) in sorted(table.items())}

    return PeriodFigures(
        span=span,
        currency=rates.currency,
        start=start,
        end=end,
        mrr_start=mrr_start.money,
        mrr_end=mrr_end.money,
        running_start=running_start,
        running_end=running_end,
        new=new,
        restarted=restarted,
        expansion=expansion_m,
        contraction=contraction_m,
        cancelled=_movement(*ends[EndReason.CANCELLED], missing),
        lapsed=_movement(*ends[EndReason.LAPSED], missing),
        refunded_plans=_movement(*ends[EndReason.REFUNDED], missing),
        income=income.money,
        payments=payments,
        one_time_income=one_time.money,
        recurring_income=recurring.money,
        refunds=refunds[Refund.Kind.REFUND][0].money,
        refunds_count=refunds[Refund.Kind.REFUND][1],
        disputes=refunds[Refund.Kind.DISPUTE][0].money,
        disputes_count=refunds[Refund.Kind.DISPUTE][1],
        cost=cost,
        covering_income=covering.money,
        gap=(cost - covering.money).clamp_at_zero(),
        percent=percent_of(covering.decimal, cost.amount),
        by_method=converted(by_method),
        by_frequency=converted(by_frequency),
        by_currency={
            code: (n, Money(amount, code), None if converted.missing else converted.money)
            for code, (n, amount, converted) in sorted(by_currency.items())
        },
        by_language=converted(by_language),
        missing=tuple(sorted(missing)),
        missing_days=dict(sorted(missing_days.items())),
        excluded=covering.excluded,
        stopped_of_running=stopped_of_running,
    )


def current_month(now=None) -> Span:
    now = now or timezone.now()
    return Span.month_of(timezone.localtime(now).date())
