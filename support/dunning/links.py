"""The link a dunning mail or a renewal notice carries. A manage link works for an hour; these mails are read days
later, so they carry a link of their own that works for ``LINK_MAX_AGE`` and only opens the manage page (or its
card page) with a fresh manage link. It is bound to the supporter's address: erasing the supporter, or the id naming
another address, makes it open nothing."""

from django.core import signing
from django.urls import reverse

from support.receipts import MAX_TOKEN_LENGTH, manage_token
from support.reminders import absolute, email_digest

SALT = "samizdat.support.dunning.link"
LINK_MAX_AGE = 30 * 24 * 3600  # seconds: a month, longer than the reminders' whole schedule
PURPOSES = ("card", "manage")


class BadLink(Exception):
    pass


def link_token(contribution, purpose: str) -> str:
    supporter = contribution.supporter
    return signing.dumps(
        {"s": supporter.pk, "c": contribution.pk, "e": email_digest(supporter.email), "p": purpose}, salt=SALT
    )


def link_url(contribution, purpose: str) -> str:
    return absolute(reverse("support:notice_link", args=[link_token(contribution, purpose)]))


def read_link(token) -> dict:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise BadLink("malformed")
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise BadLink("expired") from None
    except (signing.BadSignature, ValueError):
        raise BadLink("malformed") from None
    if not isinstance(payload, dict) or payload.get("p") not in PURPOSES:
        raise BadLink("malformed")
    if not all(isinstance(payload.get(name), int) for name in ("s", "c")) or not isinstance(payload.get("e"), str):
        raise BadLink("malformed")
    return payload


def destination(payload) -> str | None:
    """Where a checked link leads now (a path with a fresh manage link), or None if its supporter is gone."""
    from support.models import Supporter

    supporter = Supporter.objects.filter(pk=payload["s"]).first()
    if supporter is None or email_digest(supporter.email) != payload["e"]:
        return None
    token = manage_token(supporter)
    if payload["p"] == "card":
        return reverse("support:manage_card", args=[token, payload["c"]])
    return reverse("support:manage_link", args=[token])
