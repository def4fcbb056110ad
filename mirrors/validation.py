"""What a mirror must be before it is stored: the rules the admin form shows as messages and the actions enforce."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mirrors.addresses import is_onion, normalise_mirror_url
from mirrors.models import Mirror


def check_mirror(*, url, kind, carrier, pool, exclude_pk=None) -> dict:
    """``{url, kind, carrier, pool}`` as they are stored (the address in its one spelling; an onion is carried by
    Tor); raises ``ValidationError`` with a message per field otherwise."""
    errors = {}
    try:
        url = normalise_mirror_url(url)
    except ValidationError as error:
        errors["url"] = error.messages
        url = None
    for name, value, choices in (
        ("kind", kind, Mirror.Kind),
        ("carrier", carrier, Mirror.Carrier),
        ("pool", pool, Mirror.Pool),
    ):
        if value not in choices.values:
            errors[name] = [_("Choose one of the offered values.")]
    if url is not None and "kind" not in errors:
        if is_onion(url) and kind != Mirror.Kind.ONION:
            errors["kind"] = [_("An address ending in .onion is an onion service: choose that kind.")]
        elif not is_onion(url) and kind == Mirror.Kind.ONION:
            errors["url"] = [_("An onion service's address ends in .onion.")]
        elif kind == Mirror.Kind.ONION:
            carrier = Mirror.Carrier.ONION
        elif carrier == Mirror.Carrier.ONION:
            errors["carrier"] = [_("Only an onion service is carried by Tor.")]
    if url is not None and "url" not in errors:
        if urlsplit(url).hostname == urlsplit(settings.CANONICAL_URL).hostname:
            errors["url"] = [_("This is the site's own address, not a mirror of it.")]
        elif Mirror.objects.filter(url=url).exclude(pk=exclude_pk).exists():
            errors["url"] = [_("This address is already in the list of mirrors.")]
    if errors:
        raise ValidationError({name: [ValidationError(text) for text in texts] for name, texts in errors.items()})
    return {"url": url, "kind": kind, "carrier": carrier, "pool": pool}
