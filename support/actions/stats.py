"""Counting what asks do: anonymous counters per arm and day, never a row per event or anything about a reader."""

from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core.actions import Actor
from support.models import AskCounter
from support.models.stats import EVENT_KINDS

COLUMN = {"impression": "impressions", "click": "clicks", "close": "closes", "reminder": "reminders"}


def count_ask_events(*, actor: Actor, campaign, events, day=None):
    """Add ``events`` — (arm, kind) pairs, already validated — to today's counters in one transaction.

    Counters are the aggregate; they get no audit entry per beacon (that would be a row per event).
    """
    day = day or timezone.localdate()
    totals = Counter(events)
    by_arm = {}
    for (arm, kind), n in totals.items():
        by_arm.setdefault(arm, Counter())[COLUMN[kind]] += n
    with transaction.atomic():
        for arm, columns in sorted(by_arm.items()):
            updates = {column: F(column) + n for column, n in columns.items()}
            if AskCounter.objects.filter(campaign=campaign, day=day, arm=arm).update(**updates):
                continue
            try:
                with transaction.atomic():
                    AskCounter.objects.create(campaign=campaign, day=day, arm=arm, **dict(columns))
            except IntegrityError:  # another request created today's row first
                AskCounter.objects.filter(campaign=campaign, day=day, arm=arm).update(**updates)
    return sum(totals.values())


__all__ = ["EVENT_KINDS", "count_ask_events"]
