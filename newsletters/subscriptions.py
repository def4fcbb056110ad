"""The rules of subscribing that actions and views share: signed confirmation links, the per-client and per-address
limits on subscribe requests, and the keyed digests those limits count under (never an address in the cache)."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.client_address import limit_for
from core.errors import DomainError
from core.limits import count_in_window

CONFIRM_SALT = "samizdat.newsletters.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600
SUBSCRIBE_WINDOW = 3600


class SubscribeError(DomainError):
    status = 400

    def __init__(self, message, *, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


class BadLink(SubscribeError):
    pass


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(kind: str, value: str) -> str:
    return salted_hmac(f"samizdat.newsletters.{kind}", value or "", algorithm="sha256").hexdigest()


def take_client_allowance(ip: str) -> None:
    """Count one subscribe request from ``ip``; refuse it past ``NEWSLETTER_SUBSCRIBE_PER_ADDRESS`` an hour."""
    key = f"samizdat:newsletter:ip:{digest('ip', ip)}"
    if count_in_window(key, SUBSCRIBE_WINDOW) > limit_for(ip, settings.NEWSLETTER_SUBSCRIBE_PER_ADDRESS):
        raise SubscribeError(_("Too many requests from your connection. Please try again in an hour."), status=429)


def first_confirmation_in_period(email: str) -> bool:
    """True once per address per ``NEWSLETTER_CONFIRMATION_PERIOD``: whether a confirmation may be mailed now. Kept
    in the shared cache, so deleting and asking again does not start a new period."""
    key = f"samizdat:newsletter:confirm:{digest('email', email)}"
    return cache.add(key, 1, settings.NEWSLETTER_CONFIRMATION_PERIOD)


def confirm_token(subscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "k": subscriber.token[:12]}, salt=CONFIRM_SALT)


@dataclass(frozen=True)
class ConfirmLink:
    subscriber_id: int
    key: str


def read_confirm_token(token: str) -> ConfirmLink:
    invalid = BadLink(_("This link is not valid. Please subscribe again."))
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise BadLink(_("This link has expired. Please subscribe again.")) from None
    except signing.BadSignature:
        raise invalid from None
    try:
        return ConfirmLink(subscriber_id=int(payload["s"]), key=str(payload["k"]))
    except (KeyError, TypeError, ValueError):
        raise invalid from None
