"""Card attempts nobody carried on with end (``manage.py expire_card_attempts``, every minute from the scheduler).

A card checkout stores a pending contribution at once; a reader who leaves, or a card tester's script, leaves it
pending for ever, and one declined and left stays "failed" with a customer at Stripe. After
``CARD_ATTEMPT_EXPIRY_HOURS`` without a move (its ``updated_at``: the card step's customer, a decline), such an
attempt ends through the named action ``expire_contribution``: cancelled with the reason "expired", never started,
its email address dropped unless another contribution uses it.

Nothing a reader paid for is touched. A contribution with a succeeded payment is never a candidate, and the action
checks again under its lock. Before one that reached Stripe ends, Stripe is asked (``StripeCard.clear_abandoned``):
an intent that succeeded after all — its webhook missed — is applied instead, as the webhook would have, and one the
bank is still processing keeps it waiting; otherwise its intents are cancelled, an incomplete subscription deleted and
its customer deleted, so nobody can finish it later. An attempt that never reached the card step (most of a card
tester's) ends without a call to Stripe.

Cheap when there is nothing to do: one indexed query. At most ``limit`` attempts per run, oldest first; a Stripe that
cannot be asked leaves an attempt for the next run.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.actions import Actor
from support.actions.contributions import expire_contribution
from support.models import Contribution, Payment
from support.providers.registry import get_provider

logger = logging.getLogger(__name__)

ACTOR = Actor.system("expire_card_attempts")
C, P = Contribution.Status, Payment.Status


def abandoned(now=None, limit=100):
    """The card attempts to end now: pending or failed, no payment paid, nothing moved for the expiry hours."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.CARD_ATTEMPT_EXPIRY_HOURS)
    attempts = Contribution.objects.filter(
        method="card", status__in=[C.PENDING, C.FAILED], created_at__lt=cutoff, updated_at__lt=cutoff
    ).exclude(payments__status__in=[P.SUCCEEDED, P.REFUNDED])
    return list(attempts.order_by("created_at", "pk")[:limit])


def _reached_stripe(contribution) -> bool:
    return bool(
        contribution.provider_customer_id
        or contribution.provider_subscription_id
        or contribution.payments.filter(~Q(provider_id=None), ~Q(provider_id="")).exists()
    )


def expire_card_attempts(*, now=None, limit=100) -> list[str]:
    """End the abandoned card attempts (see the module's docstring). Returns a line for each one it ended or kept."""
    done = []
    provider = None
    for contribution in abandoned(now, limit):
        if _reached_stripe(contribution):
            provider = provider or get_provider("card")
            if provider is None:
                done.append(f"kept {contribution.reference}: card payments are not configured, Stripe cannot be asked")
                continue
            try:
                cleared = provider.clear_abandoned(contribution)
            except Exception:  # Stripe unreachable or refusing: this one waits for the next run, the others go on
                logger.warning("expire_card_attempts: Stripe could not be asked about %s", contribution.reference)
                continue
            if not cleared:
                done.append(f"kept {contribution.reference}: Stripe says it is paid, or may still be")
                continue
        if expire_contribution(actor=ACTOR, contribution_id=contribution.pk):
            done.append(f"expired {contribution.reference} (was {contribution.status})")
    return done
