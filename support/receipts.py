"""Mails to supporters about their money — the receipt, and the link to manage their contributions — and the signed
links and limits of “Manage my support” (``/support/manage/``).

Both mails are plain text with a neutral subject, in the supporter's language, with absolute links on
``CANONICAL_URL``; they go out from tasks that take ids only (``support.tasks``), and a failed send raises the
reminders' ``MailNotSent``, which never quotes the address.

The receipt links to the page where a manage link can be *requested*, not to a manage link itself. A receipt lives in
a mailbox for years, is forwarded to an accountant, or read by whoever takes the phone; a link in it that cancels
support or erases the supporter would work for all of them while it lasts. Asking for a fresh link costs the supporter
one form and one mail, and the link it brings works for an hour.

The manage link is a signed value (``django.core.signing``, its own salt, so no other link of ours opens it) carrying
the supporter's id, a keyed digest of their address and their language; nothing is stored. The digest ties the link
to the address: should the id ever belong to someone else, the link does not open their page. Limits count keyed
digests of the address and of the IP in Django's cache, separately from the reminders' limits.
"""

from dataclasses import dataclass
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.client_address import limit_for
from core.limits import count_in_window
from support.reminders import (
    MAX_TOKEN_LENGTH,
    BadLink,
    LimitReached,
    absolute,
    email_digest,
    ip_digest,
)

RECEIPT_SUBJECT = _("Your receipt")
MANAGE_LINK_SUBJECT = _("Your link")

MANAGE_SALT = "samizdat.supporter.manage"
MANAGE_FORM_SALT = "samizdat.supporter.manage.form"
MANAGE_LINK_MAX_AGE = 3600  # seconds: a manage link works for an hour
MANAGE_LINK_MINUTES = MANAGE_LINK_MAX_AGE // 60

# Each request may send a mail, so an address gets few; one connection may ask for a handful of addresses.
MANAGE_ADDRESS_LIMIT, MANAGE_ADDRESS_WINDOW = 3, 24 * 3600
MANAGE_IP_LIMIT, MANAGE_IP_WINDOW = 10, 3600

METHOD_LABELS = {"card": _("card"), "bank_transfer": _("bank transfer"), "crypto": _("crypto")}
FREQUENCY_LABELS = {"once": _("one-time"), "monthly": _("monthly"), "annual": _("yearly")}


def _language(value):
    return value if value in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- Limits -----------------------------------------------------------------------------------------------------------


def take_manage_ip_allowance(ip: str) -> None:
    if count_in_window(f"samizdat:manage:ip:{ip_digest(ip)}", MANAGE_IP_WINDOW) > limit_for(ip, MANAGE_IP_LIMIT):
        raise LimitReached(_("Too many requests from your connection. Please try again in an hour."))


def take_manage_address_allowance(email: str) -> None:
    if count_in_window(f"samizdat:manage:address:{email_digest(email)}", MANAGE_ADDRESS_WINDOW) > MANAGE_ADDRESS_LIMIT:
        raise LimitReached(_("We have had several requests for this address today. Please try again tomorrow."))


# --- Signed links -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManageLink:
    supporter_id: int
    email_digest: str
    language: str


def manage_token(supporter) -> str:
    payload = {"s": supporter.pk, "e": email_digest(supporter.email), "l": _language(supporter.language)}
    return signing.dumps(payload, salt=MANAGE_SALT)


def _invalid():
    return BadLink(_("This link is not valid. Please open the whole link from the email, or copy it exactly."))


def read_manage_link(token) -> ManageLink:
    """Check and read a manage link. Raises ``BadLink`` with a message for the reader."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise _invalid()
    try:
        payload = signing.loads(token, salt=MANAGE_SALT, max_age=MANAGE_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise BadLink(
            _("This link has expired: links to manage your support work for an hour. Please ask for a new one.")
        ) from None
    except (signing.BadSignature, ValueError):
        raise _invalid() from None
    try:
        return ManageLink(int(payload["s"]), str(payload["e"]), _language(payload.get("l")))
    except (KeyError, TypeError, ValueError):
        raise _invalid() from None


def form_token(link: ManageLink, action: str, contribution_id: int | None = None) -> str:
    """The token of one button on the manage page: this supporter, this action, this contribution. A POST needs it as
    well as the link, so a button cannot be replayed against another contribution or turned into another action."""
    return signing.dumps({"s": link.supporter_id, "a": action, "c": contribution_id}, salt=MANAGE_FORM_SALT)


def check_form_token(token, link: ManageLink, action: str, contribution_id: int | None = None) -> None:
    invalid = BadLink(_("This form has expired or was changed. Please open the page again and repeat."))
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise invalid
    try:
        payload = signing.loads(token, salt=MANAGE_FORM_SALT, max_age=MANAGE_LINK_MAX_AGE)
    except (signing.BadSignature, ValueError):
        raise invalid from None
    if payload != {"s": link.supporter_id, "a": action, "c": contribution_id}:
        raise invalid


def manage_url(supporter, *, onion=False) -> str:
    return absolute(reverse("support:manage_link", args=[manage_token(supporter)]), onion=onion)


# --- Mails ------------------------------------------------------------------------------------------------------------


def _message(*, to, language, subject, template, context):
    with translation.override(language):
        body = render_to_string(template, {"site_name": settings.WAGTAIL_SITE_NAME, **context})
        subject = str(subject)
    domain = urlsplit(settings.CANONICAL_URL).hostname or "localhost"  # our own Message-ID: not the machine's name
    return EmailMessage(
        subject=subject,
        body=body,
        to=[to],
        headers={"Message-ID": make_msgid(domain=domain), "Auto-Submitted": "auto-generated"},
    )


def receipt_message(payment):
    """The receipt of one succeeded payment, to its contribution's supporter (who must exist)."""
    contribution = payment.contribution
    supporter = contribution.supporter
    language = _language(contribution.language)
    paid_at = timezone.localtime(payment.succeeded_at or timezone.now())
    with translation.override(language):
        context = {
            "amount": payment.money.format(language),
            "currency": payment.currency,
            "date": date_format(paid_at, "DATE_FORMAT"),
            "frequency": str(FREQUENCY_LABELS.get(contribution.frequency, contribution.frequency)),
            "method": str(METHOD_LABELS.get(contribution.method, contribution.method)),
            "reference": contribution.reference,
            "manage_request_url": absolute(reverse("support:manage")),
        }
    return _message(
        to=supporter.email,
        language=language,
        subject=RECEIPT_SUBJECT,
        template="support/email/receipt.txt",
        context=context,
    )


def manage_link_message(supporter, *, onion=False):
    """The magic link; ``onion``: it was asked for by the onion service, so it leads there."""
    language = _language(supporter.language)
    context = {"manage_url": manage_url(supporter, onion=onion), "minutes": MANAGE_LINK_MINUTES}
    return _message(
        to=supporter.email,
        language=language,
        subject=MANAGE_LINK_SUBJECT,
        template="support/email/receipt_manage_link.txt",
        context=context,
    )
