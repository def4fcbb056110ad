"""Ed25519 signatures in minisign's format, so readers can check what we sign with the stock ``minisign`` program.

A signature file has four lines::

    untrusted comment: <anything; not covered by the signature>
    base64("ED" ‖ key id ‖ Ed25519(BLAKE2b-512(file)))
    trusted comment: <one line, signed together with the signature>
    base64(Ed25519(signature ‖ trusted comment))

and the public key is ``base64("Ed" ‖ key id ‖ public key)``, the ``RW…`` string readers paste into
``minisign -Vm manifest.json -P RW…``. The file is prehashed (algorithm ``ED``), so signing a large file never holds it
twice in memory. The key id is derived from the public key, so one seed always gives the same ``RW…`` text.
"""

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREHASHED = b"ED"
LEGACY = b"Ed"  # minisign's older, not prehashed signatures; the public key always carries these two bytes
UNTRUSTED_PREFIX = "untrusted comment: "
TRUSTED_PREFIX = "trusted comment: "


class BadSignature(Exception):
    """The signature does not match the data, the trusted comment or the key, or it is not a minisign signature."""


def _blake2b(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=64).digest()


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise BadSignature(f"the {what} is not base64") from None


def key_id_text(key_id: bytes) -> str:
    """The key id as minisign prints it (a little-endian 64-bit number in upper-case hex)."""
    return key_id[::-1].hex().upper()


class Signer:
    """Signs with one Ed25519 key, given as its 32-byte seed."""

    def __init__(self, seed: bytes):
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        self._private_key = Ed25519PrivateKey.from_private_bytes(seed)
        self._public_bytes = self._private_key.public_key().public_bytes_raw()
        self.key_id = hashlib.blake2b(self._public_bytes, digest_size=8, person=b"samizdat-keyid").digest()
        self.public_key = base64.b64encode(LEGACY + self.key_id + self._public_bytes).decode("ascii")

    @classmethod
    def from_settings(cls) -> "Signer":
        """The newsroom's key: ``MIRROR_SIGNING_KEY`` (base64 seed) or the file ``MIRROR_SIGNING_KEY_FILE`` names.

        Outside production a missing key file is made on first use: a throw-away key that signs demo and test exports.
        """
        if settings.MIRROR_SIGNING_KEY:
            return cls(_seed_from_text(settings.MIRROR_SIGNING_KEY, "MIRROR_SIGNING_KEY"))
        key_file = settings.MIRROR_SIGNING_KEY_FILE
        if not key_file:
            raise ImproperlyConfigured(
                "Set MIRROR_SIGNING_KEY to the mirror signing key (a base64 32-byte seed; make one with "
                "`python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'`)."
            )
        path = Path(key_file)
        if not path.exists():
            if settings.IS_PRODUCTION:
                raise ImproperlyConfigured(f"MIRROR_SIGNING_KEY_FILE names {path}, which does not exist.")
            _make_throwaway_key(path)
        return cls(_seed_from_text(path.read_text(), f"the key in {path}"))

    @property
    def public_key_file(self) -> str:
        """The public key as ``minisign -G`` writes it (``minisign -Vm file -p <this file>``)."""
        return f"untrusted comment: minisign public key {key_id_text(self.key_id)}\n{self.public_key}\n"

    def sign(self, data: bytes, *, trusted_comment: str, untrusted_comment: str = "signature from samizdat") -> str:
        """The four-line signature of ``data``; both comments must be single lines."""
        for name, comment in (("trusted", trusted_comment), ("untrusted", untrusted_comment)):
            if "\n" in comment or "\r" in comment:
                raise ValueError(f"the {name} comment must be one line")
        signature = self._private_key.sign(_blake2b(data))
        global_signature = self._private_key.sign(signature + trusted_comment.encode())
        return (
            f"{UNTRUSTED_PREFIX}{untrusted_comment}\n"
            f"{base64.b64encode(PREHASHED + self.key_id + signature).decode('ascii')}\n"
            f"{TRUSTED_PREFIX}{trusted_comment}\n"
            f"{base64.b64encode(global_signature).decode('ascii')}\n"
        )


def _seed_from_text(text: str, where: str) -> bytes:
    try:
        seed = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) != 32:
        raise ImproperlyConfigured(f"{where} must be a base64-encoded 32-byte seed.")
    return seed


def _make_throwaway_key(path: Path) -> None:
    """Writes a fresh seed to ``path`` unless another process got there first (the file appears whole or not at all)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(base64.b64encode(os.urandom(32)).decode("ascii") + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def parse_public_key(public_key: str) -> tuple[bytes, bytes]:
    """(key id, raw public key) from an ``RW…`` string or the text of a minisign public key file."""
    lines = [line.strip() for line in public_key.strip().splitlines() if line.strip()]
    if not lines:
        raise BadSignature("the public key is empty")
    raw = _b64decode(lines[-1], "public key")
    if len(raw) != 42 or raw[:2] != LEGACY:
        raise BadSignature("the public key is not a minisign Ed25519 key (RW…)")
    return raw[2:10], raw[10:]


def verify(data: bytes, signature: str, public_key: str) -> str:
    """Checks a minisign signature of ``data``; returns its trusted comment, or raises ``BadSignature``."""
    key_id, public_bytes = parse_public_key(public_key)
    lines = signature.splitlines()
    if len(lines) < 4 or not lines[0].startswith(UNTRUSTED_PREFIX) or not lines[2].startswith(TRUSTED_PREFIX):
        raise BadSignature("not a minisign signature (four lines: untrusted comment, signature, trusted comment, sig)")
    blob = _b64decode(lines[1], "signature")
    if len(blob) != 74:
        raise BadSignature("the signature line has the wrong length")
    algorithm, signed_key_id, sig = blob[:2], blob[2:10], blob[10:]
    if algorithm not in (PREHASHED, LEGACY):
        raise BadSignature("unknown signature algorithm")
    if signed_key_id != key_id:
        raise BadSignature(
            f"signed with key {key_id_text(signed_key_id)}, not with the given key {key_id_text(key_id)}"
        )
    trusted_comment = lines[2][len(TRUSTED_PREFIX) :]
    global_sig = _b64decode(lines[3], "global signature")
    key = Ed25519PublicKey.from_public_bytes(public_bytes)
    try:
        key.verify(sig, _blake2b(data) if algorithm == PREHASHED else data)
    except InvalidSignature:
        raise BadSignature("the signature does not match the data") from None
    try:
        key.verify(global_sig, sig + trusted_comment.encode())
    except InvalidSignature:
        raise BadSignature("the trusted comment has been altered") from None
    return trusted_comment
