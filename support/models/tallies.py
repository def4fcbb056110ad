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

A tally is written by *appending* rows, never by updating one: a move inserts what it takes off and what it puts on,
``settled=False``. Every payment of a day would otherwise update the same row (today, EUR) and wait on every other
payment's transaction until it commits. A key's figure is the sum of its rows; :func:`compact` (``manage.py
revenue_tallies --compact``, every minute from the scheduler) folds the unsettled rows into one settled row per key,
taking only rows no one else is compacting, so readers add up a settled row per key plus the last minute's moves.
"""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone

RUNNING = -1  # the stopped month of a plan still running
RECURRING = ("monthly", "annual")  # the frequencies of a regular contribution, everywhere they are asked about

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
    settled = models.BooleanField(default=False, db_index=True)

    def __str__(self):
        return f"plans {self.began}→{self.stopped} {self.currency} {self.frequency}: {self.count}, {self.total}"


class GiftTally(models.Model):
    day = models.DateField()
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    count = models.IntegerField(default=0)
    settled = models.BooleanField(default=False, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["day"], name="gift_tally_day")]

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
    settled = models.BooleanField(default=False, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["month"], name="payment_tally_month")]

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


def _moves(model, keys, before, after):
    """Take ``before`` off and put ``after`` on: rows appended, one if both have the same key."""
    if before == after:
        return
    rows = {}
    for entry, sign in ((before, -1), (after, +1)):
        if entry is not None:
            total, count = rows.get(entry[0], (Decimal(0), 0))
            rows[entry[0]] = (total + sign * entry[1], count + sign)
    model.objects.bulk_create(
        model(**dict(zip(keys, key, strict=True)), total=total, count=count)
        for key, (total, count) in rows.items()
        if total or count
    )


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
    """The row's stored values of ``fields``, locked for the rest of the transaction (None for a new row): as
    :func:`locked_as_loaded` left them, or read."""
    if instance._state.adding or instance.pk is None:
        return None
    known = _known(instance)
    if known is not None:
        return known
    rows = type(instance)._base_manager.filter(pk=instance.pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update(of=("self",))
    return rows.values_list(*fields).first()


def _fields_of(instance):
    return (*PLAN_FIELDS, *GROUP_FIELDS) if hasattr(instance, "ended_at") else GIFT_FIELDS


def locked_as_loaded(row, contribution=None):
    """Say that ``row`` (a contribution or a payment) was just read under its lock in the transaction under way and
    is unchanged since: its save need not read the stored row again (the state machine's hot path). ``contribution``:
    the payment's contribution, locked too. Holds for this transaction only."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    if contribution is not None and contribution.pk == getattr(row, "contribution_id", None):
        row.contribution = contribution
    row._tally_known = (connection.atomic_blocks[0], tuple(getattr(row, name) for name in _fields_of(row)))


def _known(instance):
    known = getattr(instance, "_tally_known", None)
    connection = transaction.get_connection()
    if known is None or not connection.in_atomic_block or known[0] is not connection.atomic_blocks[0]:
        return None
    return known[1]


def _written(instance, fields, stored, update_fields) -> tuple:
    """What the row holds of ``fields`` after a save: the saved fields' values in memory, the rest as stored."""
    if stored is None or update_fields is None:
        return tuple(getattr(instance, name) for name in fields)
    saved = set(update_fields)
    return tuple(
        getattr(instance, name) if name in saved or name.removesuffix("_id") in saved else stored[index]
        for index, name in enumerate(fields)
    )


def _saved(instance, written):
    """After a save: what the row now holds, for the next save in the same transaction."""
    if _known(instance) is not None:
        instance._tally_known = (instance._tally_known[0], written)


@contextmanager
def keeping_plan_tally(contribution, update_fields):
    """Around the save of a contribution: moves its share of :class:`PlanTally` from the stored row to the saved,
    and its payments' shares of the payment tallies if what they are grouped by changed (rare: a campaign, an arm).
    No savepoint: a save that fails leaves the transaction to be rolled back, as Django's own save does."""
    fields = (*PLAN_FIELDS, *GROUP_FIELDS)
    if not _touches(update_fields, (*fields, "campaign")):
        yield
        return
    with transaction.atomic(savepoint=False):
        stored = _stored(contribution, fields)
        yield
        written = _written(contribution, fields, stored, update_fields)
        _saved(contribution, written)
        before = plan_entry(*stored[: len(PLAN_FIELDS)]) if stored else None
        move_plan(before, plan_entry(*written[: len(PLAN_FIELDS)]))
        groups = written[len(PLAN_FIELDS) :]
        if stored and stored[len(PLAN_FIELDS) :] != groups:
            _regroup_payments(contribution, stored[len(PLAN_FIELDS) :], groups)


def _regroup_payments(contribution, before, after):
    payments = contribution.payments.filter(status="succeeded").values_list(*GIFT_FIELDS)
    for values in payments:
        move_payment(payment_entry(*values, before), payment_entry(*values, after))
        move_gift(gift_entry(*values, before[1]), gift_entry(*values, after[1]))


CONTRIBUTION_GROUPS = tuple(f"contribution__{name}" for name in GROUP_FIELDS)


def _groups(payment):
    """The payment's contribution's :data:`GROUP_FIELDS`: from the contribution in memory if it was loaded (they
    never change in a payment's save), else read."""
    if type(payment).contribution.is_cached(payment):
        return tuple(getattr(payment.contribution, name) for name in GROUP_FIELDS)
    contributions = type(payment).contribution.field.related_model._base_manager
    return contributions.filter(pk=payment.contribution_id).values_list(*GROUP_FIELDS).first()


@contextmanager
def keeping_gift_tally(payment, update_fields):
    """Around the save of a payment: moves its shares of :class:`GiftTally` and :class:`PaymentTally` from the
    stored row to the saved (grouped by its contribution, read with the stored row)."""
    if not _touches(update_fields, GIFT_FIELDS):
        yield
        return
    with transaction.atomic(savepoint=False):
        stored = _stored(payment, (*GIFT_FIELDS, *CONTRIBUTION_GROUPS))
        yield
        if stored and len(stored) > len(GIFT_FIELDS):
            stored, groups = stored[: len(GIFT_FIELDS)], stored[len(GIFT_FIELDS) :]
        else:
            groups = _groups(payment)
        values = _written(payment, GIFT_FIELDS, stored, update_fields)
        _saved(payment, values)
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
    PaymentTally.objects.filter(campaign=campaign_id).update(campaign=0)


def summed(rows, keys):
    """``(*key, total, count)`` for each key of the tally rows ``rows`` (a queryset), its rows added up; keys whose
    rows cancel out are left out."""
    grouped = rows.values(*keys).annotate(net_total=Sum("total"), net_count=Sum("count")).order_by()
    return [row for row in grouped.values_list(*keys, "net_total", "net_count") if row[-1] or row[-2]]


# --- folding the appended rows -------------------------------------------------------------------------------------

TALLIES = (
    (PlanTally, ("began", "stopped", "currency", "frequency")),
    (GiftTally, ("day", "currency")),
    (PaymentTally, PAYMENT_KEY),
)


def compact(batch: int = 20_000) -> int:
    """Fold the unsettled rows of every tally into one settled row per key; returns how many rows were folded.
    Each batch is one transaction: the unsettled rows it takes are locked (rows another compaction holds are left
    to it), summed into their keys' settled rows, and deleted."""
    folded = 0
    for model, keys in TALLIES:
        while True:
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update(skip_locked=True)
                    .filter(settled=False)
                    .order_by("pk")
                    .values_list("pk", *keys, "total", "count")[:batch]
                )
                if not rows:
                    break
                _fold(model, keys, rows)
                folded += len(rows)
            if len(rows) < batch:
                break
    return folded


def _fold(model, keys, rows):
    sums = {}
    for _pk, *values in rows:
        key = tuple(values[: len(keys)])
        total, count = sums.get(key, (Decimal(0), 0))
        sums[key] = (total + values[-2], count + values[-1])
    first = keys[0]  # the settled rows of the keys concerned, found by their first field
    settled = model.objects.select_for_update().filter(settled=True, **{f"{first}__in": {key[0] for key in sums}})
    existing = {}
    for row in settled:
        existing.setdefault(tuple(getattr(row, name) for name in keys), []).append(row)
    changed, gone, new = [], [], []
    for key, (total, count) in sums.items():
        rows_of_key = existing.get(key, [])
        total += sum((row.total for row in rows_of_key), Decimal(0))
        count += sum(row.count for row in rows_of_key)
        keep, *extra = rows_of_key or [None]
        gone.extend(row.pk for row in extra)
        if keep is None:
            if total or count:
                new.append(model(**dict(zip(keys, key, strict=True)), total=total, count=count, settled=True))
        elif total or count:
            keep.total, keep.count = total, count
            changed.append(keep)
        else:
            gone.append(keep.pk)
    model.objects.filter(pk__in=[row[0] for row in rows] + gone).delete()
    model.objects.bulk_update(changed, ["total", "count"], batch_size=2000)
    model.objects.bulk_create(new, batch_size=2000)
