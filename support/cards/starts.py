"""Before a card contribution is started at checkout: the card-testing defence's say, asked while nothing is stored
yet. A refused start stores no contribution, no payment and no supporter, and asks Stripe nothing; the reader gets
the form again with a message that points to bank transfer and crypto.

* A client address or an email address **blocked** after its declines (``support.cards.defence``) starts no card
  contribution: 429, the message the card step gives a blocked source.
* The **limits on starting** card checkouts (``support.start_limits``): a client address or an email address over
  its limit gets a 429; the site over its limit per minute a 503, and the first refusal of the hour is the named
  action ``limit_card_starts`` (audited, staff mailed). That is no pause: the breaker's pause is for declines, which
  cost the newsroom money; many starts cost nothing at Stripe now (the customer is made on the card step), so they
  are only turned away until the minute ends.
* While card payments are **paused**, the form offers no card at all (``support.checkout``), so such a start never
  gets here.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.actions import Actor
from core.client_address import client_address
from support import start_limits
from support.cards import state
from support.cards.actions import limit_card_starts

BLOCKED = _(
    "There were too many declined card attempts. For your safety, card payment is paused here for 24 hours. "
    "You can still pay by bank transfer or crypto."
)
TOO_MANY = _(
    "Card payment has been started many times from here or with this email address, so it is paused here for a "
    "while. Nothing has been saved. You can pay by bank transfer or crypto now, or by card later."
)
BUSY = _(
    "Card payment is taking no new payments for a minute, for safety. Nothing has been saved. You can pay by bank "
    "transfer or crypto now, or try the card again in a minute."
)


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str  # lazy: made a sentence in the language it is shown in
    retry_after: int | None = None  # seconds, for a Retry-After header


def refusal(request, *, email: str = "") -> Refusal | None:
    """Whether a card contribution may be started for this request (with ``email``, if the reader gave one): None to
    go ahead, else why not. Counts the start against the limits when no block refuses it."""
    address = client_address(request)
    if state.blocked(state.source_keys(address=address, email=email)):
        return Refusal(429, BLOCKED)
    limits = start_limits.limits_for("card")
    over = start_limits.count_start(limits, address=address, email=email)
    if over == start_limits.SITEWIDE:
        limit_card_starts(
            actor=Actor.system("card_defence"), limit=limits.sitewide, window_seconds=start_limits.SITEWIDE_WINDOW
        )
        return Refusal(503, BUSY, retry_after=start_limits.SITEWIDE_WINDOW)
    if over is not None:
        return Refusal(429, TOO_MANY)
    return None
