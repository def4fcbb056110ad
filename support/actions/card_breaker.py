"""Pausing and resuming card payments (the site-wide breaker of ``support.card_defence``).

The pause itself lives in the shared cache, where every app process reads it on each card request; these actions
claim or end it there and write the audit entry (counts and times only: nothing about any reader). Pausing alerts
staff by mail once, from a task started after commit.
"""

import datetime as dt

from django.db import transaction

from core.actions import Actor, after_commit, record
from support import card_defence
from support.tasks import send_card_pause_alert


def _iso(timestamp):
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).isoformat(timespec="seconds")


def pause_card_payments(*, actor: Actor, failures: int, attempts: int) -> bool:
    """Pause card payments for ``CARD_BREAKER_PAUSE_SECONDS`` after ``failures`` declines in ``attempts``. Returns
    False if they were paused already (then nothing is written and nobody is alerted again)."""
    pause = card_defence.claim_pause(failures=failures, attempts=attempts)
    if pause is None:
        return False
    # The pause is in force from here on even if the audit write below fails: refusing cards is the safe side.
    with transaction.atomic():
        entry = record(
            actor=actor,
            action="card.paused",
            failures=failures,
            attempts=attempts,
            since=_iso(pause.since),
            until=_iso(pause.until),
        )
        after_commit(send_card_pause_alert.enqueue, entry.pk)
    return True


def resume_card_payments(*, actor: Actor) -> bool:
    """Resume card payments before the pause ends. Returns False if they were not paused (nothing is written)."""
    with transaction.atomic():
        if not card_defence.end_pause():
            return False
        record(actor=actor, action="card.resumed")
    return True
