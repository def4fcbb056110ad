"""Mirror addresses as editors type them and as the mirror list publishes them: one spelling per address, and onion
addresses checked the way Tor checks them.

A v3 onion address is ``base32(public key ‖ checksum ‖ version)`` in lower case, 56 characters, then ``.onion``; the
checksum is the first two bytes of ``SHA3-256(".onion checksum" ‖ public key ‖ version)`` and the version is 3, so
a mistyped character is caught here rather than by a reader whose Tor Browser cannot find the site.
"""

import base64
import binascii
import re
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.onion import onion_host

ONION_VERSION = b"\x03"
_ONION_LABEL = re.compile(r"^[a-z2-7]{56}$")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
MAX_URL_LENGTH = 300


# The v3 arithmetic is core.onion's (the site's own ONION_ADDRESS is checked there too); here, editors' messages.
onion_address = onion_host


def onion_problem(host: str) -> str | None:
    """Why ``host`` (ending in ``.onion``) is not a v3 onion address, or ``None`` when it is one."""
    label = host[: -len(".onion")].rsplit(".", 1)[-1]  # a subdomain of an onion service is the service's too
    if not _ONION_LABEL.match(label):
        return _("An onion address is 56 letters and digits (a–z, 2–7) before .onion; this one has %(count)s.") % {
            "count": len(label)
        }
    try:
        raw = base64.b32decode(label.upper())
    except binascii.Error:
        return _("This onion address is not valid base32.")
    if raw[-1:] != ONION_VERSION:
        return _("This is not a version 3 onion address (it should end in d.onion).")
    if onion_address(raw[:32]) != label + ".onion":
        return _("This onion address has a wrong checksum: a character is mistyped.")
    return None


def is_onion(url: str) -> bool:
    return (urlsplit(url).hostname or "").endswith(".onion")


def normalise_mirror_url(text: str) -> str:
    """The one spelling of a mirror's address: scheme and host in lower case, no default port, no trailing slash,
    no query or fragment. Raises ``ValidationError`` with a message for the editor when it is not a usable address."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Enter the mirror's address."))
    if len(text) > MAX_URL_LENGTH:
        raise ValidationError(_("An address is at most %(count)s characters.") % {"count": MAX_URL_LENGTH})
    if any(character.isspace() for character in text):
        raise ValidationError(_("An address has no spaces in it."))
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValidationError(_("This is not a web address.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter a full web address, such as https://mirror.example.org."))
    if parts.username is not None or parts.password is not None:
        raise ValidationError(_("An address must not carry a user name or password."))
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ValidationError(_("An address has no query (?…) or fragment (#…): readers add their own paths to it."))
    host = parts.hostname.rstrip(".")
    if not _HOST.match(host):
        raise ValidationError(_("%(host)s is not a host name.") % {"host": host})
    onion = host.endswith(".onion")
    if onion:
        problem = onion_problem(host)
        if problem:
            raise ValidationError(problem)
    elif scheme != "https":
        raise ValidationError(_("A mirror outside Tor must use https://, or anyone on the way can read and alter it."))
    default_port = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, "", ""))
