"""Defence against card testing: people who try stolen card numbers through our card step, hundreds at a time, to
learn which ones work. Each decline costs the newsroom a fee, and a flood of them can get the account closed.

Two layers, both kept in Django's cache only (shared by every app process once the cache is Redis):

* **Limits per source.** Declines are counted per client address, per contribution and per supporter address (when
  the contribution has one): after ``CARD_FAILURE_LIMIT`` declines within ``CARD_FAILURE_WINDOW`` seconds, that
  source may not try a card again for ``CARD_BLOCK_SECONDS``. The onion service's readers have no address: their
  declines count in one onion bucket with ten times the limit, whose block leaves each onion contribution one decline
  rather than refusing them all (``state.blocked``). Addresses are kept only as keyed digests (HMAC with
  ``SECRET_KEY``), never in clear, and only for as long as a block lasts. Each block begun is the audited action
  ``block_card_source`` (its kind only: no address, no digest). Staff lift every block in force with “Resume card
  payments now”; since a cache cannot list its keys, the blocks are also written down in a *registry* (below).
* **A site-wide circuit breaker.** A tester with many client addresses and many throw-away contributions passes every
  per-source limit, but not this: declines and successful payments across the whole site are counted in a sliding
  window of ``CARD_BREAKER_WINDOW`` seconds (ten buckets), and once there are at least
  ``CARD_BREAKER_MIN_FAILURES`` declines *and* they are at least ``CARD_BREAKER_FAILURE_RATIO`` of all card attempts,
  card payments pause for ``CARD_BREAKER_PAUSE_SECONDS``. The ratio is what keeps a busy, honest day — many payments,
  with the usual few declines among them — from tripping it. While paused, the checkout does not offer card, the card
  endpoints refuse with a 503 and change nothing, and bank transfer and crypto work as usual. Tripping is the named
  action ``pause_card_payments`` (audited, and staff are alerted once per pause by mail); staff may resume early
  (``resume_card_payments``, from *Support → Card payments* in the admin).

The pause is a cache entry that carries its own end: emptying the cache (a Redis flush or restart, or the local
memory cache of a restarted process) resumes card payments and forgets every limit. That errs towards taking money,
which is what the newsroom lives on; a continuing attack trips the breaker again within minutes.

Declines that Stripe.js sees while it confirms a card (before our server is asked to charge) never reach us, so they
are not counted here; Stripe's own defences see those.
"""

from core.actions import Actor
from core.limits import count_in_window
from support.cards.actions import block_card_source, pause_card_payments
from support.cards.state import CARD_FAILURE_WINDOW, count_for_breaker, failure_limit, figures, pause


def count_failure(keys):
    """A declined card: count it against each source (blocking those at the limit) and for the breaker, which may
    trip. Returns True if card payments are paused now."""
    at_limit = [key for key in keys if count_in_window(f"{key}:failures", CARD_FAILURE_WINDOW) >= failure_limit(key)]
    if at_limit:
        for key in at_limit:
            block_card_source(actor=Actor.system("card_defence"), key=key)
    count_for_breaker("failures")
    return _trip_if_needed()


def count_success():
    """A card payment that went through: counted only for the breaker's ratio."""
    count_for_breaker("successes")


def _trip_if_needed() -> bool:
    if pause() is not None:
        return True
    counted = figures()
    if not counted.over_threshold:
        return False
    pause_card_payments(actor=Actor.system("card_breaker"), failures=counted.failures, attempts=counted.attempts)
    return True
