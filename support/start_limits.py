"""How many contributions may be started at checkout, counted before anything is stored or asked of a provider: per
client address and per email address within a window, and across the whole site per minute.

A card tester's script starts hundreds of checkouts an hour; a reader starts one, or a few when they change their
mind or their card is declined (trying again on the same pay page starts nothing new), and a household or an office
shares one address. So the limits sit well above what readers do: by default ten card checkouts an hour from one
client address, five with one email address, and 120 a minute across the site (7,200 an hour: raise it before a drive
that expects more). Each is a setting (``CARD_STARTS_*``); 0 turns one off.

Counts live in the shared cache (``core.limits.count_in_window``, fixed windows), under the keyed digests every
limit uses (``support.reminders.email_digest`` and ``ip_digest``, HMAC with ``SECRET_KEY``): never an address in
clear, and one email address counts as one however it is typed. The client address is ``core.client_address``
(believed through trusted proxies only). An IPv6 address counts by its /64 network, which one machine usually holds
whole: counting single addresses would let one machine start as many checkouts as it has addresses.

Only a start that passes a limit counts against the next one: a client address over its limit uses up nothing of the
email's or the site's, so one busy source cannot close the checkout for everyone on its own.

Card checkouts are counted by ``support.cards.starts`` (with the card defence's blocks); bank transfer and crypto
checkouts together, under their own settings (``OFFLINE_STARTS_*``), by :func:`refusal` here: each start of theirs
is a pending contribution, and with an email a supporter's address kept, so a script could fill the ledger with them.
"""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.client_address import client_address
from core.limits import count_in_window
from support.reminders import email_digest, ip_digest

SITEWIDE_WINDOW = 60  # seconds: the site-wide limit is per minute

ADDRESS, EMAIL, SITEWIDE = "address", "email", "sitewide"


@dataclass(frozen=True)
class StartLimits:
    """The limits on starting contributions paid with ``method``."""

    method: str
    per_address: int  # within ``window`` seconds; 0: no limit
    per_email: int  # within ``window`` seconds; 0: no limit
    window: int
    sitewide: int  # within SITEWIDE_WINDOW; 0: no limit


OFFLINE_METHODS = ("bank_transfer", "crypto")  # counted together: one allowance for both


def limits_for(method: str) -> StartLimits | None:
    """The limits of ``method``, or None for a method that has none."""
    if method == "card":
        return StartLimits(
            method="card",
            per_address=settings.CARD_STARTS_PER_ADDRESS,
            per_email=settings.CARD_STARTS_PER_EMAIL,
            window=settings.CARD_STARTS_WINDOW,
            sitewide=settings.CARD_STARTS_SITEWIDE,
        )
    if method in OFFLINE_METHODS:
        return StartLimits(
            method="offline",
            per_address=settings.OFFLINE_STARTS_PER_ADDRESS,
            per_email=settings.OFFLINE_STARTS_PER_EMAIL,
            window=settings.OFFLINE_STARTS_WINDOW,
            sitewide=settings.OFFLINE_STARTS_SITEWIDE,
        )
    return None


TOO_MANY = _(
    "Support has been started many times from here or with this email address, so starting again is paused here for "
    "a while. Nothing has been saved. Please try again later; if you have already started, the page with your "
    "payment details is in the email we sent."
)
BUSY = _(
    "We are taking no new contributions for a minute, for safety. Nothing has been saved. Please try again in a minute."
)


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str  # lazy: made a sentence in the language it is shown in
    retry_after: int | None = None  # seconds, for a Retry-After header


def refusal(request, method: str, *, email: str = "") -> Refusal | None:
    """Whether a contribution paid with ``method`` (bank transfer or crypto) may be started for this request: None to
    go ahead (and the start is counted), else why not (429 over a reader's limit, 503 over the site's)."""
    limits = limits_for(method)
    if limits is None:
        return None
    over = count_start(limits, address=client_address(request), email=email)
    if over == SITEWIDE:
        return Refusal(503, BUSY, retry_after=SITEWIDE_WINDOW)
    if over is not None:
        return Refusal(429, TOO_MANY)
    return None


def address_group(address: str) -> str:
    """What a client address counts as: itself for IPv4 (an IPv4-mapped IPv6 address as its IPv4), its /64 network
    for IPv6; anything unreadable as it is."""
    try:
        parsed = ipaddress.ip_address(address.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _over(key: str, limit: int, window: int) -> bool:
    return limit > 0 and count_in_window(key, window) > limit


def count_start(limits: StartLimits, *, address: str, email: str = "") -> str | None:
    """Count one start from ``address`` (with ``email``, if the reader gave one) against ``limits``. Returns the
    limit it goes over — ``ADDRESS``, ``EMAIL`` or ``SITEWIDE`` — or None if it may go ahead."""
    prefix = f"starts:{limits.method}"
    if _over(f"{prefix}:address:{ip_digest(address_group(address))}", limits.per_address, limits.window):
        return ADDRESS
    if email and _over(f"{prefix}:email:{email_digest(email)}", limits.per_email, limits.window):
        return EMAIL
    if _over(f"{prefix}:sitewide", limits.sitewide, SITEWIDE_WINDOW):
        return SITEWIDE
    return None
