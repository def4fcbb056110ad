"""POST /support/webhooks/stripe/: Stripe tells us something happened. In the fixed order of STYLE.md: verify the raw
body's signature → record the event id (unique) → ignore types we don't handle → re-fetch the object → act.

Re-fetching is an HTTP call to Stripe, so it happens before any transaction is open: no row lock (not the event's,
not the ledger's) waits on Stripe. Acting is one transaction: it claims the event (sets ``handled_at`` where it is
still empty, which locks the row), then moves the ledger through the named actions. A second delivery of the same
event finds it handled and answers "duplicate" without calling Stripe; one that arrives while the first is under way
either waits on the record while the first applies it and then finds it handled, or (while the first is still
fetching) fetches too, then waits on the claim, finds it taken and changes nothing.

Answers 400 for a bad signature, 200 for what is ignored, duplicated or handled (an error that a retry cannot fix is
stored on the event for staff), and 500 only to ask Stripe to send it again (the API was unreachable or failing).
"""

import logging

from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from support.models import ProviderEvent

logger = logging.getLogger(__name__)


def _answer(status, text):
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


# One statement whether the event is new or not: insert it, or (on the unique constraint) leave the row as it is,
# and say whether it was handled. "Leaving it" is an update to the same value, since only DO UPDATE returns the
# existing row; it waits if a concurrent delivery is applying the event, then sees it handled. PostgreSQL and SQLite
# (3.35 and later) both speak it.
RECORD = (
    "INSERT INTO support_providerevent (provider, event_id, type, object_id, received_at, handled_at, error) "
    "VALUES (%s, %s, %s, %s, %s, NULL, '') "
    "ON CONFLICT (provider, event_id) DO UPDATE SET provider = EXCLUDED.provider "
    "RETURNING handled_at"
)


def _record(event_id, event_type, object_id=""):
    """Record the event once (the unique constraint keeps a concurrent delivery from adding a second row), outside
    any transaction: the one statement commits on its own. Returns whether the event has been handled already."""
    with connection.cursor() as cursor:
        received = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(RECORD, ["stripe", event_id, event_type[:100], object_id[:255], received])
        (handled_at,) = cursor.fetchone()
    return handled_at is not None


def _claim(events) -> bool:
    """Mark the event handled inside the transaction that applies it; False if another delivery did. The row stays
    locked until that transaction ends, so a concurrent claim waits for it and then sees the mark (or, if the other
    rolled back, takes the event itself)."""
    return events.filter(handled_at__isnull=True).update(handled_at=timezone.now(), error="") == 1


# No CSRF token: Stripe is no browser; the signature is what proves the sender.
@csrf_exempt
@require_POST
def stripe_webhook(request):
    from support.providers import stripe_card  # imported on use: the core never imports a gateway at start-up

    try:
        event = stripe_card.verify_event(request.body, request.headers.get("Stripe-Signature", ""))
    except stripe_card.InvalidWebhook as error:
        return _answer(400, str(error))
    event_id, event_type = event["id"], event["type"]
    events = ProviderEvent.objects.filter(provider="stripe", event_id=event_id)
    object_id = stripe_card.handled_object_id(event)  # "" for the types we ignore
    if _record(event_id, event_type, object_id):
        return _answer(200, "duplicate")
    if event_type not in stripe_card.HANDLED_EVENTS:
        return _answer(200, "ignored")
    try:
        kind, fetched = stripe_card.fetch_event_object(event)  # outside any transaction: no lock waits on Stripe
        with transaction.atomic():
            if not _claim(events):
                return _answer(200, "duplicate")
            change = stripe_card.apply_fetched(kind, fetched)
    except stripe_card.TRANSIENT_ERRORS as error:
        events.filter(handled_at__isnull=True).update(error=f"retry: {error}"[:2000])
        logger.warning("Stripe event %s: API unavailable, asking for a retry: %s", event_id, error)
        return _answer(500, "try again")
    except Exception as error:  # a retry would fail the same way: keep the reason for staff and say we got it
        events.filter(handled_at__isnull=True).update(handled_at=timezone.now(), error=repr(error)[:2000])
        logger.exception("Stripe event %s could not be applied", event_id)
        return _answer(200, "recorded with an error")
    return _answer(200, change or "nothing to change")
