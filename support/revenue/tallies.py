"""The revenue tallies computed afresh from the ledger's rows: to check the running sums, or to rebuild them.

``support.models.tallies`` keeps :class:`~support.models.PlanTally` and :class:`~support.models.GiftTally` in step
with every save; this module says what they should hold, from every row, with the same rules
(:func:`~support.models.tallies.plan_entry`, :func:`~support.models.tallies.gift_entry`). ``manage.py
revenue_tallies`` runs it; the migration that made the tallies filled them with :func:`rebuild`.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from support.models import Contribution, GiftTally, Payment, PlanTally
from support.models.tallies import GIFT_FIELDS, PLAN_FIELDS, gift_entry, plan_entry

PLAN_KEY = ("began", "stopped", "currency", "frequency")
GIFT_KEY = ("day", "currency")


def expected(contributions, payments) -> tuple[dict, dict]:
    """``({plan key: [total, count]}, {gift key: [total, count]})`` from the rows of the two models given (the
    current ones, or a migration's)."""
    plans = defaultdict(lambda: [Decimal(0), 0])
    rows = contributions.objects.filter(started_at__isnull=False).values_list(*PLAN_FIELDS)
    for values in rows.iterator(chunk_size=5000):
        entry = plan_entry(*values)
        if entry is not None:
            plans[entry[0]][0] += entry[1]
            plans[entry[0]][1] += 1
    gifts = defaultdict(lambda: [Decimal(0), 0])
    rows = payments.objects.filter(status="succeeded", contribution__frequency="once").values_list(
        *GIFT_FIELDS, "contribution__frequency"
    )
    for values in rows.iterator(chunk_size=5000):
        entry = gift_entry(*values)
        if entry is not None:
            gifts[entry[0]][0] += entry[1]
            gifts[entry[0]][1] += 1
    return dict(plans), dict(gifts)


def stored(plan_tallies, gift_tallies) -> tuple[dict, dict]:
    """The tallies as they are, empty keys (count 0 and total 0) left out."""
    plans = {
        tuple(row[:4]): [row[4], row[5]]
        for row in plan_tallies.objects.values_list(*PLAN_KEY, "total", "count")
        if row[4] or row[5]
    }
    gifts = {
        tuple(row[:2]): [row[2], row[3]]
        for row in gift_tallies.objects.values_list(*GIFT_KEY, "total", "count")
        if row[2] or row[3]
    }
    return plans, gifts


def differences(models=None) -> list[str]:
    """What the tallies hold that the rows do not say, one line per key; empty when they agree."""
    plan_tallies, gift_tallies, contributions, payments = models or _models()
    want_plans, want_gifts = expected(contributions, payments)
    have_plans, have_gifts = stored(plan_tallies, gift_tallies)
    lines = []
    for name, want, have in (("plans", want_plans, have_plans), ("gifts", want_gifts, have_gifts)):
        for key in sorted(set(want) | set(have), key=str):
            if want.get(key) != have.get(key):
                lines.append(f"{name} {key}: rows say {want.get(key, [0, 0])}, tally holds {have.get(key, [0, 0])}")
    return lines


def rebuild(models=None) -> tuple[int, int]:
    """Replace both tallies with what the rows say; returns the numbers of plan and gift keys written."""
    plan_tallies, gift_tallies, contributions, payments = models or _models()
    with transaction.atomic():
        plans, gifts = expected(contributions, payments)
        plan_tallies.objects.all().delete()
        gift_tallies.objects.all().delete()
        plan_tallies.objects.bulk_create(
            plan_tallies(**dict(zip(PLAN_KEY, key, strict=True)), total=total, count=count)
            for key, (total, count) in plans.items()
        )
        gift_tallies.objects.bulk_create(
            gift_tallies(**dict(zip(GIFT_KEY, key, strict=True)), total=total, count=count)
            for key, (total, count) in gifts.items()
        )
    return len(plans), len(gifts)


def _models():
    return PlanTally, GiftTally, Contribution, Payment
