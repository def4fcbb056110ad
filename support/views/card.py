"""The card step of a contribution's pay page: two small JSON endpoints that ``support/static/support/card.js`` calls.

``prepare`` makes a SetupIntent for Stripe.js to confirm (no money moves); ``charge`` charges or subscribes with the
confirmed card, or — after 3-D Secure — re-reads the PaymentIntent. Both act on one contribution, named by its
unguessable ``public_id`` exactly like the pay page itself, and never show anything that names the supporter.

Card testing (trying stolen numbers through our form) meets ``support.cards``: failure limits per client
address, contribution and supporter address (a 429), and a site-wide breaker that pauses card payments after a spike
of declines (a 503, until it ends or staff resume them).
"""

import logging
from functools import wraps
from urllib.parse import urlsplit

from csp.decorators import csp_replace, csp_update
from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.errors import DomainError
from support.cards import defence
from support.cards import state as card_state
from support.models import Contribution
from support.providers.registry import get_provider

logger = logging.getLogger(__name__)


def _stripe_origin():
    parts = urlsplit(settings.STRIPE_JS_URL)
    return f"{parts.scheme}://{parts.netloc}"


def card_step_csp(view):
    """Widen the Content-Security-Policy of ``view`` — a page with the card step, the only kind that loads Stripe.js —
    with Stripe.js's origin for its script, its API calls and its frames. The origin is a setting, read per request."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        origin = _stripe_origin()
        widened = csp_update({"script-src": origin, "connect-src": origin})(csp_replace({"frame-src": origin})(view))
        return widened(request, *args, **kwargs)

    return wrapped


def _json(data, status=200):
    response = JsonResponse(data, status=status)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _contribution_and_provider(public_id):
    contribution = Contribution.objects.filter(public_id=public_id, method="card").first()
    provider = get_provider("card")
    if contribution is None or provider is None:
        raise Http404
    return contribution, provider


def _language(contribution):
    return contribution.language if contribution.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _blocked_answer():
    message = _(
        "There were too many declined card attempts. For your safety, card payment is paused here for 24 hours. "
        "You can still pay by bank transfer or crypto."
    )
    return _json({"status": "blocked", "message": message}, status=429)


def _refused(request, contribution, keys):
    """The answer for a card attempt the defence refuses, or None to go ahead."""
    if card_state.card_paused():
        message = _(
            "Card payment is paused for a short while, for safety. Nothing was charged. "
            "You can pay by bank transfer or crypto, which work as usual."
        )
        return _json({"status": "paused", "message": message}, status=503)
    if card_state.blocked(keys):
        return _blocked_answer()
    return None


# No CSRF token: like the pay page, these act on one contribution named by its unguessable public_id, for a reader who
# has no session or login to abuse; a forged request could do no more than whoever holds the address (and no money
# moves without a card confirmed with Stripe.js on that page). A CSRF cookie would also leave a trace on the reader's
# device, and our no-referrer policy makes browsers send "Origin: null", which Django's CSRF check refuses.
@csrf_exempt
@require_POST
def prepare(request, public_id):
    """A SetupIntent for the card the supporter types: ``{client_secret, publishable_key}``."""
    contribution, provider = _contribution_and_provider(public_id)
    with translation.override(_language(contribution)):
        refused = _refused(request, contribution, card_state.limit_keys(request, contribution))
        if refused is not None:
            return refused
        try:
            prepared = provider.prepare(contribution)
        except DomainError as error:
            return _json({"status": "error", "message": str(error.message)}, status=409)
        except Exception:
            logger.exception("card: preparing %s failed", contribution.reference)
            return _json({"status": "error", "message": _("Card payment is not reachable now. Please try again.")}, 503)
    return _json({"client_secret": prepared["client_secret"], "publishable_key": settings.STRIPE_PUBLISHABLE_KEY})


@csrf_exempt
@require_POST
def charge(request, public_id):
    """Charge with the confirmed SetupIntent (``setup_intent``), or check a PaymentIntent after 3-D Secure
    (``payment_intent``). Answers ``{status: succeeded | requires_action (+client_secret) | declined (+message)}``."""
    from support.providers.stripe_card import CardDeclined

    contribution, provider = _contribution_and_provider(public_id)
    keys = card_state.limit_keys(request, contribution)
    setup_intent = request.POST.get("setup_intent", "")[:255]
    payment_intent = request.POST.get("payment_intent", "")[:255]
    with translation.override(_language(contribution)):
        # Checking a payment after 3-D Secure starts no charge (the reader's bank has already answered), so it goes
        # ahead even while card payments are paused: the reader learns whether they paid.
        refused = None if payment_intent else _refused(request, contribution, keys)
        if refused is not None:
            return refused
        try:
            if payment_intent:
                result = provider.after_authentication(contribution, payment_intent)
            elif setup_intent:
                result = provider.charge(contribution, setup_intent)
            else:
                return _json({"status": "error", "message": _("Nothing was sent.")}, status=400)
        except CardDeclined as error:
            defence.count_failure(keys)
            return _json({"status": "declined", "message": str(error.message)})
        except DomainError as error:
            return _json({"status": "error", "message": str(error.message)}, status=409)
        except Exception:
            logger.exception("card: charging %s failed", contribution.reference)
            message = _("Card payment is not reachable now. Nothing was charged; please try again.")
            return _json({"status": "error", "message": message}, status=503)
        if result.get("status") == "declined":
            defence.count_failure(keys)
        elif result.get("status") == "succeeded":
            defence.count_success()
    return _json(result)
