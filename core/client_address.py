"""The address of the reader's machine, as every per-client limit must see it.

Behind nginx or a CDN, the connecting peer (``REMOTE_ADDR``) is the proxy, shared by every reader. The proxy appends
the address it saw to ``X-Forwarded-For``; only hops the newsroom runs can be believed, because a client may send any
header it likes. So the header is read only when the peer is one of ``settings.TRUSTED_PROXIES``, from the right (the
hop closest to us) leftwards, and the first address that is not a trusted proxy is the client. A client can add
entries on the left, never choose the one our proxy appended. With no trusted proxy configured the header is ignored.

Readers of the onion service (``core/onion.py``) have no address: Tor hands their requests to nginx on this machine,
so every one of them would look like 127.0.0.1, and one abuser would use up the allowance of them all. A request by
the onion host that comes from this machine is therefore answered :data:`ONION`, one bucket for the onion's readers,
which every limit gives :data:`ONION_SHARE` times one address's allowance (:func:`limit_for`); limits per session
(a contribution, an email address) do the rest. A clearnet client that sends the onion's ``Host`` is still counted
by its own address, which is never a loopback one.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.onion import is_onion_request

ONION = "onion"
ONION_SHARE = 10


def parse_networks(entries):
    """``TRUSTED_PROXIES`` entries (addresses or CIDRs, IPv4 or IPv6) as networks; a bad entry is named."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8, ::1)."
            ) from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(entries):
    return parse_networks(entries)


def _address(text):
    try:
        return ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


def _is_trusted(address, networks):
    if address is None:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def client_address(request) -> str:
    """The client's address for ``request``: the peer itself, or, when the peer is a trusted proxy, the nearest
    address in ``X-Forwarded-For`` that is not one. An unreadable entry ends the walk at the last trusted hop.
    :data:`ONION` for a request by the onion host from this machine."""
    address = _network_address(request)
    if is_onion_request(request) and _is_local(address):
        return ONION
    return address


def limit_for(address: str, limit: int) -> int:
    """The allowance of a per-client ``limit`` for ``address`` (from :func:`client_address`): the onion bucket stands
    for many readers."""
    return limit * ONION_SHARE if address == ONION else limit


def _is_local(text):
    address = _address(text)
    if address is not None and address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address is not None and address.is_loopback


def _network_address(request) -> str:
    peer = request.META.get("REMOTE_ADDR", "")
    networks = _trusted(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(_address(peer), networks):
        return peer
    client = peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        address = _address(entry)
        if address is None:
            break  # garbage (or nothing) where a hop should be: believe no further
        client = str(address)
        if not _is_trusted(address, networks):
            break
    return client
