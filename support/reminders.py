"""“Remind me later”, the parts every edge shares: what “when” means, keyed digests, limits, signed links, attribution.

Nothing here writes to the database (``support.actions.reminders`` does); the mails are in ``support.reminder_mail``.

What is kept, and where: the address only in its ``Reminder`` row, until the reminder is sent or cancelled. Limits and
“forget me” use a keyed hash of the address in its stored form (HMAC with ``SECRET_KEY``); the per-IP limit a keyed hash
of the client's address (``core.client_address``) that lives only in the cache. The links in the mails are signed
values (``django.core.signing``) that carry the reminder id, so no token or other secret is stored anywhere, not even
in the task queue.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.client_address import limit_for
from core.email_address import canonical_email
from core.limits import count_in_window
from core.onion import site_url

WHEN_DAYS = {"week": 7, "month": 30, "quarter": 91}
DEFAULT_WHEN = "month"
# A confirmation link works this long; an unconfirmed reminder is deleted after it (the retention policy's setting).
CONFIRM_WITHIN = dt.timedelta(days=settings.RETENTION_UNCONFIRMED_REMINDER_DAYS)
# A confirmed reminder that could not be sent for this long is dropped rather than keeping the address on.
OVERDUE_GRACE = dt.timedelta(days=7)

# Shared through Django's cache, so they hold across app processes once the cache is Redis.
ADDRESS_LIMIT, ADDRESS_WINDOW = 3, 24 * 3600  # requests per address per day (each one sends a confirmation mail)
IP_LIMIT, IP_WINDOW = 10, 3600  # requests per IP per hour

CONFIRM_SALT = "samizdat.reminder.confirm"
CANCEL_SALT = "samizdat.reminder.cancel"
FORGET_SALT = "samizdat.reminder.forget"
MAX_TOKEN_LENGTH = 400


class ReminderError(Exception):
    """A request or link that cannot be honoured. ``message`` is for the reader (translated when shown)."""

    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class LimitReached(ReminderError):
    status = 429


class BadLink(ReminderError):
    pass


def email_digest(email: str) -> str:
    """Keyed hash of the address in its one stored form (``core.email_address.canonical_email``): the same address,
    however its case or its domain's spelling, always gives the same digest; nobody can reverse it."""
    return salted_hmac("samizdat.reminder.email", canonical_email(email), algorithm="sha256").hexdigest()


def ip_digest(ip: str) -> str:
    return salted_hmac("samizdat.reminder.ip", ip or "", algorithm="sha256").hexdigest()


def due_date(when: str, today: dt.date | None = None) -> dt.date:
    """The day a reminder asked for ``when`` (“week”, “month”, “quarter”) falls due. Raises ``ReminderError``."""
    if when not in WHEN_DAYS:
        raise ReminderError(_("Choose when: in a week, next month or in three months."))
    return (today or timezone.localdate()) + dt.timedelta(days=WHEN_DAYS[when])


# --- Limits ---------------------------------------------------------------------------------------------------------


def take_ip_allowance(ip: str) -> None:
    """Count one request from ``ip``; raise ``LimitReached`` past the hourly limit."""
    if count_in_window(f"samizdat:remind:ip:{ip_digest(ip)}", IP_WINDOW) > limit_for(ip, IP_LIMIT):
        raise LimitReached(_("Too many requests from your connection. Please try again in an hour."))


def take_address_allowance(digest: str) -> None:
    """Count one request for the address with ``digest``; raise ``LimitReached`` past the daily limit."""
    if count_in_window(f"samizdat:remind:address:{digest}", ADDRESS_WINDOW) > ADDRESS_LIMIT:
        raise LimitReached(_("We have had several requests for this address today. Please try again tomorrow."))


# --- Signed links ---------------------------------------------------------------------------------------------------


def _language(value):
    return value if value in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@dataclass(frozen=True)
class Link:
    """What a signed link says. ``language`` lets its page speak the reader's language even once the row is gone."""

    language: str
    reminder_id: int | None = None
    due_on: dt.date | None = None
    email_digest: str = ""


def confirm_token(reminder, due_on: dt.date) -> str:
    """Confirms ``reminder`` for ``due_on`` (which replaces the due date of an already confirmed one). Expires."""
    return signing.dumps({"r": reminder.pk, "d": due_on.isoformat(), "l": reminder.language}, salt=CONFIRM_SALT)


def cancel_token(reminder) -> str:
    return signing.dumps({"r": reminder.pk, "l": reminder.language}, salt=CANCEL_SALT)


def forget_token(digest: str, language: str) -> str:
    return signing.dumps({"e": digest, "l": language}, salt=FORGET_SALT)


def read_link(token, *, salt, max_age=None) -> Link:
    """Check and read a signed link token. Raises ``BadLink`` with a message for the reader."""
    invalid = BadLink(_("This link is not valid. Please open the whole link from the email, or copy it exactly."))
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise invalid
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink(
            _("This link has expired. Nothing will be sent; ask for a reminder again if you still want one.")
        ) from None
    except (signing.BadSignature, ValueError):
        raise invalid from None
    try:
        return Link(
            language=_language(payload.get("l")),
            reminder_id=int(payload["r"]) if "r" in payload else None,
            due_on=dt.date.fromisoformat(payload["d"]) if "d" in payload else None,
            email_digest=str(payload.get("e", "")),
        )
    except (AttributeError, KeyError, TypeError, ValueError):  # signed by us, so only if the format ever changes
        raise invalid from None


def absolute(path: str, *, onion: bool = False) -> str:
    """Links in mails are absolute, on the newsroom's canonical address, or on its onion service for a reader who
    asked by it (``core.onion.site_url``)."""
    return site_url(onion=onion) + path


def plain_amount(amount: Decimal) -> str:
    """“2” for 2.00, “2.50” for 2.5: never an exponent (``Decimal("20").normalize()`` is ``2E+1``)."""
    return format(amount.quantize(Decimal(1)), "f") if amount == amount.to_integral_value() else format(amount, "f")


# --- Attribution ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    """Where a request came from, as far as we can trust it. Anything unknown is dropped, never an error."""

    campaign: object  # support.models.Campaign or None
    arm: str
    article_id: int | None
    language: str


def _article_id(value):
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value) or None


def _article_language(article_id):
    """The language of the live article ``article_id``, or None. Pages are read only through publishing's interface."""
    from wagtail.models import Page

    from publishing.interface import article_exists, article_info

    if not article_exists(article_id):
        return None
    return article_info(Page.objects.get(pk=article_id).specific).language


def attribution(variant: str, article: str, lang: str = "") -> Attribution:
    """Resolve the ``variant`` and ``article`` a form carried: the article's language picks the campaign; without an
    article, a variant key that belongs to exactly one active campaign does; without either, the reader's chosen
    language (``lang``, as on the checkout page). Unknown values are dropped."""
    from support.arms import valid_arms
    from support.models import Campaign

    variant = (variant or "").strip()[:80]
    article_id = _article_id(article)
    language = _article_language(article_id) if article_id else None
    if language is None:
        article_id = None
    campaign = None
    if language is None and not variant and lang in dict(settings.LANGUAGES):
        language = lang
    if language:
        campaign = Campaign.objects.filter(is_active=True, language=language).first()
    elif variant:
        found = list(Campaign.objects.filter(is_active=True, variants__key=variant).distinct()[:2])
        campaign = found[0] if len(found) == 1 else None
    arm = variant if campaign is not None and variant in valid_arms(campaign) else ""
    language = _language(language or (campaign.language if campaign is not None else None))
    return Attribution(campaign=campaign, arm=arm, article_id=article_id, language=language)
