"""The revenue tallies computed afresh from the ledger's rows: to check the running sums, or to rebuild them.

``support.models.tallies`` keeps :class:`~support.models.PlanTally`, :class:`~support.models.GiftTally` and
:class:`~support.models.PaymentTally` in step with every save; this module says what they should hold, from every
row, with the same rules (``plan_entry``, ``gift_entry``, ``payment_entry``). ``manage.py revenue_tallies`` runs it;
the migration that made the tallies filled them with :func:`rebuild`.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from core.actions import record
from support.models import Contribution, GiftTally, Payment, PaymentTally, PlanTally
from support.models.tallies import (
    GIFT_FIELDS,
    GROUP_FIELDS,
    PAYMENT_KEY,
    PLAN_FIELDS,
    gift_entry,
    payment_entry,
    plan_entry,
    summed,
)

TALLY_KEYS = (("began", "stopped", "currency", "frequency"), ("day", "currency"), PAYMENT_KEY)


def _summed():
    return defaultdict(lambda: [Decimal(0), 0])


def _count(sums, entry):
    if entry is not None:
        sums[entry[0]][0] += entry[1]
        sums[entry[0]][1] += 1


def expected(contributions, payments) -> tuple[dict, dict, dict]:
    """``{key: [total, count]}`` for the plan, gift and payment tallies, from the rows of the two models given (the
    current ones, or a migration's)."""
    plans, gifts, paid = _summed(), _summed(), _summed()
    rows = contributions.objects.filter(started_at__isnull=False).values_list(*PLAN_FIELDS)
    for values in rows.iterator(chunk_size=5000):
        _count(plans, plan_entry(*values))
    groups = tuple(f"contribution__{name}" for name in GROUP_FIELDS)
    rows = payments.objects.filter(status="succeeded").values_list(*GIFT_FIELDS, *groups)
    for values in rows.iterator(chunk_size=5000):
        own, of_contribution = values[: len(GIFT_FIELDS)], values[len(GIFT_FIELDS) :]
        _count(gifts, gift_entry(*own, of_contribution[1]))
        _count(paid, payment_entry(*own, of_contribution))
    return dict(plans), dict(gifts), dict(paid)


def stored(models) -> tuple[dict, dict, dict]:
    """The three tallies as they are, each key's rows added up, keys that cancel out left out."""
    return tuple(
        {tuple(row[:-2]): [row[-2], row[-1]] for row in summed(model.objects.all(), key)}
        for model, key in zip(models[:3], TALLY_KEYS, strict=True)
    )


def differences(models=None) -> list[str]:
    """What the tallies hold that the rows do not say, one line per key; empty when they agree."""
    models = models or _models()
    wanted = expected(*models[3:])
    held = stored(models)
    lines = []
    for name, want, have in zip(("plans", "gifts", "payments"), wanted, held, strict=True):
        for key in sorted(set(want) | set(have), key=str):
            if want.get(key) != have.get(key):
                lines.append(f"{name} {key}: rows say {want.get(key, [0, 0])}, tally holds {have.get(key, [0, 0])}")
    return lines


def rebuild(models=None) -> tuple[int, int, int]:
    """Replace the three tallies with what the rows say; returns the numbers of plan, gift and payment keys."""
    models = models or _models()
    with transaction.atomic():
        wanted = expected(*models[3:])
        for model, key, sums in zip(models[:3], TALLY_KEYS, wanted, strict=True):
            model.objects.all().delete()
            model.objects.bulk_create(
                (
                    model(**dict(zip(key, values, strict=True)), total=total, count=count, settled=True)
                    for values, (total, count) in sums.items()
                ),
                batch_size=5000,
            )
    return tuple(len(sums) for sums in wanted)


def _models():
    return PlanTally, GiftTally, PaymentTally, Contribution, Payment


def rebuild_tallies(*, actor) -> tuple[int, int, int]:
    """The named action behind ``revenue_tallies --rebuild``: :func:`rebuild`, with an audit entry (the counts only)."""
    with transaction.atomic():
        plans, gifts, payments = rebuild()
        record(actor=actor, action="revenue.tallies_rebuilt", plans=plans, gifts=gifts, payments=payments)
    return plans, gifts, payments
