"""The retention policy (``docs/payments.md``, “Retention and erasure”), enforced by ``manage.py apply_retention``
every minute from the scheduler: what we keep of a person only as long as it serves them.

* A checkout never paid — any method, any status, no payment succeeded — keeps its email address for
  ``RETENTION_UNPAID_CHECKOUT_DAYS`` after it started, then the address goes (``forget_unpaid_checkout``): the
  contribution stays, anonymous, so that a late transfer still matches its reference and the statistics still count
  the start. (Card attempts end much sooner, after ``CARD_ATTEMPT_EXPIRY_HOURS``, with their address.)
* A “remind me later” nobody confirmed is deleted ``RETENTION_UNCONFIRMED_REMINDER_DAYS`` after it was asked for, and
  one we could not send is deleted a week after it fell due (``purge_stale_reminders``).

Cheap when there is nothing to do: one indexed query each, at most ``limit`` checkouts a run, oldest first."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from core.actions import Actor
from support.actions.contributions import forget_unpaid_checkout
from support.actions.reminders import purge_stale_reminders
from support.models import Contribution, Payment

ACTOR = Actor.system("apply_retention")


def unpaid_checkouts(now=None, limit=500) -> list[int]:
    """The ids of the contributions whose address is kept past the policy: never paid, started before the cutoff."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.RETENTION_UNPAID_CHECKOUT_DAYS)
    rows = (
        Contribution.objects.filter(supporter__isnull=False, created_at__lt=cutoff)
        .exclude(payments__status__in=[Payment.Status.SUCCEEDED, Payment.Status.REFUNDED])
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    return list(rows[:limit])


def apply_retention(*, now=None, limit=500) -> tuple[int, int]:
    """Apply the policy once. Returns (addresses of unpaid checkouts dropped, reminders deleted)."""
    dropped = sum(forget_unpaid_checkout(actor=ACTOR, contribution_id=pk) for pk in unpaid_checkouts(now, limit))
    return dropped, purge_stale_reminders(actor=ACTOR, now=now)
