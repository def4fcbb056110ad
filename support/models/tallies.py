"""Running sums of the ledger that the revenue history reads instead of every row: kept in step by each write.

The ledger's rows stay the truth (``support.models.ledger``); a tally is a sum of them, changed in the same transaction
as the row it sums, so it never disagrees with the rows once that transaction commits:

* :class:`PlanTally` — the started regular contributions, by the month they started, the month they stopped
  (``RUNNING`` while they run), their currency and frequency: today's amounts summed, and how many. This is exactly
  what the history's scan grouped the contributions by, so the history reads a few thousand tally rows instead of
  every plan.
* :class:`GiftTally` — the one-time gifts that stand (a payment that succeeded, not refunded, of a one-time
  contribution), by the day they succeeded and their currency.
* :class:`PaymentTally` — every payment that succeeded and stands, by the month it succeeded and everything a
  period's income is broken down by (method, frequency, currency, campaign, ask arm, article, referrer host): a
  month's income and its attribution are a thousand tally rows rather than every payment of the month.

Months and days are the site's time zone's (``TIME_ZONE``), as the dashboard's months are. A write of the rows
outside the models' ``save`` and ``delete`` (a ``QuerySet.update``, ``bulk_create``, raw SQL) bypasses the tallies:
``manage.py revenue_tallies --check`` compares them with the rows, ``--rebuild`` recomputes them (after such a write,
or a change of ``TIME_ZONE``).

Each ``save`` of a contribution or a payment that may change a tally reads the row's stored state first (locked, in
the same transaction), so two writers of the same row, one after the other, each move the tally from what the other
left: never from a stale copy in memory.
"""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

RUNNING = -1  # the stopped month of a plan still running
RECURRING = ("monthly", "annual")

#: The columns a tally depends on: a save that writes none of them leaves the tallies alone.
PLAN_FIELDS = ("frequency", "started_at", "ended_at", "currency", "amount")
GIFT_FIELDS = ("status", "succeeded_at", "currency", "amount")
#: What a contribution gives its payments' :class:`PaymentTally` keys (empty values stored as 0 and "").
GROUP_FIELDS = ("method", "frequency", "campaign_id", "arm", "article_id", "referrer_host")
PAYMENT_KEY = ("month", "currency", "method", "frequency", "campaign", "arm", "article", "referrer_host")


def month_number(moment: dt.datetime) -> int:
    """The month of ``moment`` in the site's time zone, counted from year 0 (January 2026 is 2026 × 12)."""
    local = timezone.localtime(moment)
    return local.year * 12 + local.month - 1


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


class PlanTally(models.Model):
    began = models.IntegerField(help_text="month_number(started_at)")
    stopped = models.IntegerField(help_text="month_number(ended_at), or -1 while running")
    currency = models.CharField(max_length=3)
    frequency = models.CharField(max_length=10)
    total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["began", "stopped", "currency", "frequency"], name="plan_tally_key")
        ]

    def __str__(self):
        return f"plans {self.began}→{self.stopped} {self.currency} {self.frequency}: {self.count}, {self.total}"


class GiftTally(models.Model):
    day = models.DateField()
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "currency"], name="gift_tally_key")]

    def __str__(self):
        return f"gifts {self.day} {self.currency}: {self.count}, {self.total}"


class PaymentTally(models.Model):
    month = models.IntegerField(help_text="month_number(succeeded_at)")
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=20)
    frequency = models.CharField(max_length=10)
    campaign = models.BigIntegerField(help_text="the contribution's campaign id, 0 for none")
    arm = models.CharField(max_length=80)
    article = models.BigIntegerField(help_text="the contribution's article id, 0 for none")
    referrer_host = models.CharField(max_length=255)
    total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=PAYMENT_KEY, name="payment_tally_key")]

    def __str__(self):
        return f"payments {self.month} {self.currency} {self.method} {self.frequency}: {self.count}, {self.total}"


# --- what a row adds to a tally ---------------------------------------------------------------------------------


def plan_entry(frequency, started_at, ended_at, currency, amount):
    """``(tally key, amount)`` a contribution with these values adds to :class:`PlanTally`, or None."""
    if frequency not in RECURRING or started_at is None:
        return None
    stopped = RUNNING if ended_at is None else month_number(ended_at)
    return (month_number(started_at), stopped, currency, frequency), Decimal(amount)


def gift_entry(status, succeeded_at, currency, amount, frequency):
    """``(tally key, amount)`` a payment with these values (of a contribution of ``frequency``) adds to
    :class:`GiftTally`, or None: a payment that succeeded and still stands, of a one-time contribution."""
    if frequency != "once" or status != "succeeded" or succeeded_at is None:
        return None
    return (local_day(succeeded_at), currency), Decimal(amount)


def payment_entry(status, succeeded_at, currency, amount, groups):
    """``(tally key, amount)`` a payment with these values adds to :class:`PaymentTally`, or None; ``groups`` are
    its contribution's :data:`GROUP_FIELDS`."""
    if status != "succeeded" or succeeded_at is None:
        return None
    method, frequency, campaign_id, arm, article_id, referrer_host = groups
    key = (month_number(succeeded_at), currency, method, frequency, campaign_id or 0, arm, article_id or 0)
    return (*key, referrer_host), Decimal(amount)


def _move(model, keys, entry, sign):
    if entry is not None:
        _add(model, keys, entry[0], sign * entry[1], sign)


def _add(model, keys, key, total, count):
    match = dict(zip(keys, key, strict=True))
    changes = {"total": F("total") + total, "count": F("count") + count}
    if model.objects.filter(**match).update(**changes):
        return
    try:
        with transaction.atomic():  # a savepoint: another writer may create the same key at the same moment
            model.objects.create(**match, total=total, count=count)
    except IntegrityError:
        model.objects.filter(**match).update(**changes)


def _moves(model, keys, before, after):
    """Take ``before`` off and put ``after`` on, in the order of their keys: two writers moving plans between the
    same two keys the opposite ways lock the keys' rows in one order, never each waiting for the other."""
    if before == after:
        return
    steps = [(entry[0], sign, entry) for entry, sign in ((before, -1), (after, +1)) if entry is not None]
    for _key, sign, entry in sorted(steps, key=lambda step: str(step[0])):
        _move(model, keys, entry, sign)


def move_plan(before, after):
    _moves(PlanTally, ("began", "stopped", "currency", "frequency"), before, after)


def move_gift(before, after):
    _moves(GiftTally, ("day", "currency"), before, after)


def move_payment(before, after):
    _moves(PaymentTally, PAYMENT_KEY, before, after)


# --- keeping them in step on each save and delete ---------------------------------------------------------------


def _touches(update_fields, fields) -> bool:
    return update_fields is None or bool(set(update_fields) & set(fields))


def _stored(instance, fields):
    """The row's stored values of ``fields``, locked for the rest of the transaction (None for a new row)."""
    if instance._state.adding or instance.pk is None:
        return None
    rows = type(instance)._base_manager.filter(pk=instance.pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    return rows.values_list(*fields).first()


@contextmanager
def keeping_plan_tally(contribution, update_fields):
    """Around the save of a contribution: moves its share of :class:`PlanTally` from the stored row to the saved,
    and its payments' shares of the payment tallies if what they are grouped by changed (rare: a campaign, an arm)."""
    fields = (*PLAN_FIELDS, *GROUP_FIELDS)
    if not _touches(update_fields, (*fields, "campaign")):
        yield
        return
    with transaction.atomic():
        stored = _stored(contribution, fields)
        yield
        before = plan_entry(*stored[: len(PLAN_FIELDS)]) if stored else None
        move_plan(before, plan_entry(*(getattr(contribution, name) for name in PLAN_FIELDS)))
        groups = tuple(getattr(contribution, name) for name in GROUP_FIELDS)
        if stored and stored[len(PLAN_FIELDS) :] != groups:
            _regroup_payments(contribution, stored[len(PLAN_FIELDS) :], groups)


def _regroup_payments(contribution, before, after):
    payments = contribution.payments.filter(status="succeeded").values_list(*GIFT_FIELDS)
    for values in payments:
        move_payment(payment_entry(*values, before), payment_entry(*values, after))
        move_gift(gift_entry(*values, before[1]), gift_entry(*values, after[1]))


def _groups(payment):
    contribution = payment.contribution
    return tuple(getattr(contribution, name) for name in GROUP_FIELDS)


@contextmanager
def keeping_gift_tally(payment, update_fields):
    """Around the save of a payment: moves its shares of :class:`GiftTally` and :class:`PaymentTally` from the
    stored row to the saved (grouped by its contribution as it is)."""
    if not _touches(update_fields, GIFT_FIELDS):
        yield
        return
    with transaction.atomic():
        stored = _stored(payment, GIFT_FIELDS)
        yield
        groups = _groups(payment)
        values = tuple(getattr(payment, name) for name in GIFT_FIELDS)
        move_gift(gift_entry(*stored, groups[1]) if stored else None, gift_entry(*values, groups[1]))
        move_payment(payment_entry(*stored, groups) if stored else None, payment_entry(*values, groups))


def contribution_deleted(contribution):
    move_plan(plan_entry(*(getattr(contribution, name) for name in PLAN_FIELDS)), None)


def payment_deleted(payment):
    groups = _groups(payment)
    values = tuple(getattr(payment, name) for name in GIFT_FIELDS)
    move_gift(gift_entry(*values, groups[1]), None)
    move_payment(payment_entry(*values, groups), None)


def campaign_deleted(campaign_id):
    """A deleted campaign leaves its contributions without one (``SET_NULL``, written around the models): their
    payments' tally rows move to "no campaign" too."""
    for row in PaymentTally.objects.filter(campaign=campaign_id).order_by("pk"):
        key = tuple(getattr(row, name) for name in PAYMENT_KEY)
        _add(PaymentTally, PAYMENT_KEY, (*key[:4], 0, *key[5:]), row.total, row.count)
        row.delete()
