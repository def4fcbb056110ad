"""Onion addresses for the onion tests, worked out here from a fresh Ed25519 key (as tor does for a new onion service)
rather than with the code under test, and the settings of a site that has one."""

import base64
import hashlib
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def public_key():
    return Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def v3_address(key: bytes, *, version: int = 3) -> str:
    """rend-spec-v3: base32(PUBKEY ‖ CHECKSUM ‖ VERSION) + ".onion", CHECKSUM = SHA3-256(".onion checksum" ‖ PUBKEY ‖
    VERSION)[:2]."""
    checksum = hashlib.sha3_256(b".onion checksum" + key + bytes([version])).digest()[:2]
    return base64.b32encode(key + checksum + bytes([version])).decode().lower() + ".onion"


def fresh_address() -> str:
    return v3_address(public_key())


def canonical_host(settings):
    return urlsplit(settings.CANONICAL_URL).hostname


@pytest.fixture
def onion(settings):
    """A site with an onion service: what the settings module makes of ``ONION_ADDRESS`` (the host allowed, its
    origin trusted), for a fresh address. Returns the address."""
    address = fresh_address()
    settings.ONION_ADDRESS = address
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, canonical_host(settings), address]
    settings.CSRF_TRUSTED_ORIGINS = [*settings.CSRF_TRUSTED_ORIGINS, f"http://{address}"]
    return address


@pytest.fixture
def no_onion(settings):
    """The default: no onion service (the canonical host served as usual)."""
    settings.ONION_ADDRESS = ""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, canonical_host(settings)]
