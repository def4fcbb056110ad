"""POST /support/webhooks/stripe/: Stripe tells us something happened. In the fixed order of STYLE.md: verify the raw
body's signature → record the event id (unique) → ignore types we don't handle → re-fetch the object → act.

Answers 400 for a bad signature, 200 for what is ignored, duplicated or handled (an error that a retry cannot fix is
stored on the event for staff), and 500 only to ask Stripe to send it again (the API was unreachable or failing).
"""

import logging

from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from support.models import ProviderEvent

logger = logging.getLogger(__name__)


def _answer(status, text):
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


# No CSRF token: Stripe is no browser; the signature is what proves the sender.
@csrf_exempt
@require_POST
def stripe_webhook(request):
    from support.providers import stripe_card  # imported on use: the core never imports a gateway at start-up

    try:
        event = stripe_card.verify_event(request.body, request.headers.get("Stripe-Signature", ""))
    except stripe_card.InvalidWebhook:
        return HttpResponseBadRequest("invalid signature", content_type="text/plain; charset=utf-8")
    event_id, event_type = event["id"], event["type"]
    row, _created = ProviderEvent.objects.get_or_create(
        provider="stripe", event_id=event_id, defaults={"type": event_type[:100]}
    )
    if event_type not in stripe_card.HANDLED_EVENTS:
        return _answer(200, "ignored")
    try:
        with transaction.atomic():
            # The lock queues a concurrent delivery of the same event behind this one; it then sees handled_at.
            row = ProviderEvent.objects.select_for_update().get(pk=row.pk)
            if row.handled_at is not None:
                return _answer(200, "duplicate")
            change = stripe_card.handle_event(event)
            ProviderEvent.objects.filter(pk=row.pk).update(handled_at=timezone.now(), error="")
    except stripe_card.TRANSIENT_ERRORS as error:
        ProviderEvent.objects.filter(pk=row.pk).update(error=f"retry: {error}"[:2000])
        logger.warning("Stripe event %s: API unavailable, asking for a retry: %s", event_id, error)
        return _answer(500, "try again")
    except Exception as error:  # a retry would fail the same way: keep the reason for staff and say we got it
        ProviderEvent.objects.filter(pk=row.pk).update(handled_at=timezone.now(), error=repr(error)[:2000])
        logger.exception("Stripe event %s could not be applied", event_id)
        return _answer(200, "recorded with an error")
    return _answer(200, change or "nothing to change")
