"""The newsroom's onion service (``settings.ONION_ADDRESS``, docs/production.md): which requests arrive by it, the
``Onion-Location`` that HTTPS pages on the clearnet carry, and the checks of a v3 onion address.

An onion request is one whose ``Host`` is the onion address. Tor reaches the site over plain HTTP through nginx on
this machine, so there it is neither redirected to HTTPS nor sent HSTS, and its cookies go without ``Secure``
(:class:`core.middleware.SecurityMiddleware`); the per-reader limits count it in one onion bucket
(:func:`core.client_address.client_address`). Empty ``ONION_ADDRESS`` (the default): nothing here applies.
"""

import base64
import hashlib

from django.conf import settings
from django.utils.encoding import escape_uri_path, iri_to_uri

ONION_SUFFIX = ".onion"
V3_VERSION = 3
V3_LENGTH = 56  # base32 of 35 bytes: the public key (32), a checksum (2) and the version (1)
CHECKSUM_PREFIX = b".onion checksum"


def onion_address() -> str:
    """The configured onion host (``<56 characters>.onion``), or ``""``."""
    return getattr(settings, "ONION_ADDRESS", "") or ""


def bare_host(host: str) -> str:
    """A ``Host`` header's host name: lower case, without the port or a final dot."""
    host = (host or "").strip().lower()
    if host.startswith("["):  # an IPv6 literal, never an onion
        return host
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


def is_onion_host(host: str) -> bool:
    onion = onion_address()
    return bool(onion) and bare_host(host) == onion


def is_onion_request(request) -> bool:
    """Whether ``request`` arrived by the onion service (its ``Host`` is the onion address). The raw header is read:
    ``request.get_host()`` would raise for a host the site does not serve."""
    return is_onion_host(request.META.get("HTTP_HOST", ""))


def onion_url(path: str = "/") -> str:
    """``http://<onion><path>``: the onion's copy of a root-relative ``path`` (plain HTTP; Tor encrypts the way)."""
    return f"http://{onion_address()}{path}"


def site_url(*, onion: bool) -> str:
    """Where absolute links of an answer point (feeds, links in mails): the onion for a reader who came by it,
    otherwise the canonical address. Canonical links stay on ``CANONICAL_URL`` everywhere."""
    return onion_url("") if onion and onion_address() else settings.CANONICAL_URL


def answer_base(request, *, follow_onion=True) -> str:
    """Where the absolute links of ``request``'s answer point, for the files that must name a host (feeds,
    sitemaps, robots.txt): the mirror an export is rendered for (``export_mirror --overlay-base``, which the
    exporter puts on its requests), else the onion for a reader who came by it (unless not ``follow_onion``: the
    sitemaps list the canonical pages), else the canonical address."""
    overlay = getattr(request, "samizdat_overlay_base", "")
    if overlay:
        return overlay.rstrip("/")
    return site_url(onion=follow_onion and is_onion_request(request))


def location(path: str, query: str = "") -> str:
    """The ``Onion-Location`` value for a page at ``path`` (decoded, as ``request.path``) and the raw query string:
    the same path and query on the onion. ``""`` when no onion is configured."""
    if not onion_address():
        return ""
    target = escape_uri_path(path)
    if query:
        target += "?" + iri_to_uri(query)
    return onion_url(target)


def onion_host(public_key: bytes) -> str:
    """The v3 onion host of an Ed25519 public key: ``base32(PUBKEY ‖ CHECKSUM ‖ 0x03) + ".onion"`` in lower case."""
    version = bytes([V3_VERSION])
    checksum = hashlib.sha3_256(CHECKSUM_PREFIX + public_key + version).digest()[:2]
    return base64.b32encode(public_key + checksum + version).decode("ascii").lower() + ONION_SUFFIX


def address_problem(value: str) -> str | None:
    """Why ``value`` is not a v3 onion host (``base32(PUBKEY ‖ CHECKSUM ‖ 0x03) + ".onion"``, where CHECKSUM is the
    first two bytes of ``SHA3-256(".onion checksum" ‖ PUBKEY ‖ 0x03)``), or None when it is one."""
    if "://" in value or "/" in value:
        return "give the host alone, without http:// or a path"
    if not value.endswith(ONION_SUFFIX):
        return "it must end in .onion"
    label = value[: -len(ONION_SUFFIX)]
    if len(label) != V3_LENGTH:
        return f"a v3 address has {V3_LENGTH} characters before .onion, this one has {len(label)}"
    try:
        raw = base64.b32decode(label.upper())
    except ValueError:
        return "it is not base32 (the letters a-z and the digits 2-7)"
    if raw[34] != V3_VERSION:
        return f"its version byte is {raw[34]}, not {V3_VERSION}"
    if onion_host(raw[:32]) != value.lower():
        return "its checksum does not match (a mistyped character?)"
    return None
