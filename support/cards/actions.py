"""Pausing and resuming card payments (the site-wide breaker of ``support.cards.defence``), blocking or lifting
the blocks of single sources (a client address, a contribution, a supporter's email address), and recording that the
site-wide limit on starting card checkouts was reached (``support.cards.starts``).

The pause and the blocks live in the shared cache, where every app process reads them on each card request; these
actions claim or end them there and write the audit entry (kinds, counts and times only: no address, no digest of
one). Pausing alerts staff by mail once, from a task started after commit.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from core.actions import Actor, after_commit, record
from support.cards import state
from support.models import Contribution
from support.tasks import send_card_pause_alert, send_card_starts_alert


def _iso(timestamp):
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).isoformat(timespec="seconds")


def pause_card_payments(*, actor: Actor, failures: int, attempts: int) -> bool:
    """Pause card payments for ``CARD_BREAKER_PAUSE_SECONDS`` after ``failures`` declines in ``attempts``. Returns
    False if they were paused already (then nothing is written and nobody is alerted again)."""
    pause = state.claim_pause(failures=failures, attempts=attempts)
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


def block_card_source(*, actor: Actor, key: str) -> bool:
    """Block one source (a key of ``state.limit_keys``) after its declines. Returns False if it was blocked
    already (then nothing is written). The entry names the kind of source; a contribution's block names the
    contribution as its subject, an address's block names nothing that leads back to the address."""
    if not state.claim_block(key):
        return False
    contribution_id = state.contribution_of_key(key)
    subject = Contribution.objects.filter(pk=contribution_id).first() if contribution_id is not None else None
    with transaction.atomic():  # the block is in force even if this write fails: refusing cards is the safe side
        record(
            actor=actor,
            action="card.blocked",
            subject=subject,
            kind=state.source_kind(key),
            failures=state.failure_limit(key),
            window_seconds=state.CARD_FAILURE_WINDOW,
            block_seconds=state.CARD_BLOCK_SECONDS,
        )
    return True


def limit_card_starts(*, actor: Actor, limit: int, window_seconds: int) -> bool:
    """The site-wide limit on starting card checkouts (``limit`` within ``window_seconds``) was reached: readers are
    being sent to bank transfer and crypto until the window ends. Recorded, and staff alerted by mail, once per
    ``STARTS_ALERT_SECONDS`` while it keeps being reached; returns False (writing nothing) within that time. Card
    payments under way go on: this is no pause."""
    if not state.claim_starts_alert():
        return False
    with transaction.atomic():
        entry = record(
            actor=actor,
            action="card.starts_limited",
            limit=limit,
            window_seconds=window_seconds,
            quiet_seconds=state.STARTS_ALERT_SECONDS,
        )
        after_commit(send_card_starts_alert.enqueue, entry.pk)
    return True


@dataclass(frozen=True)
class Resumed:
    """What ``resume_card_payments`` did: whether it ended a pause, and how many blocks of each kind it lifted."""

    was_paused: bool
    lifted: dict[str, int] = field(default_factory=dict)

    @property
    def blocks_lifted(self) -> int:
        return sum(self.lifted.values())

    @property
    def changed(self) -> bool:
        return self.was_paused or self.blocks_lifted > 0


def resume_card_payments(*, actor: Actor) -> Resumed:
    """Resume card payments now: end the pause, if one is in force, and lift every block of a client address,
    contribution or email address. One audit entry says what was ended and how many blocks of each kind; if there
    was nothing to end, nothing is written."""
    with transaction.atomic():
        resumed = Resumed(was_paused=state.end_pause(), lifted=state.lift_blocks())
        if resumed.changed:
            record(
                actor=actor,
                action="card.resumed",
                was_paused=resumed.was_paused,
                blocks_lifted=resumed.blocks_lifted,
                blocks_by_kind=resumed.lifted,
            )
    return resumed
