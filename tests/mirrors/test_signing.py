"""Signatures in minisign's format: our verifier, the stock minisign program, and where the key comes from."""

import base64
import shutil
import subprocess

import pytest
from django.core.exceptions import ImproperlyConfigured

from mirrors.signing import BadSignature, Signer, verify

SEED = bytes(range(32))
COMMENT = "export:e1\ttree:abc\ttimestamp:1700000000"


@pytest.fixture
def signer():
    return Signer(SEED)


def test_round_trip_returns_the_trusted_comment(signer):
    signature = signer.sign(b"hello mirrors\n", trusted_comment=COMMENT)

    assert verify(b"hello mirrors\n", signature, signer.public_key) == COMMENT


def test_signature_and_public_key_have_minisign_shape(signer):
    lines = signer.sign(b"x", trusted_comment=COMMENT, untrusted_comment="made here").splitlines()

    assert signer.public_key.startswith("RW")
    assert lines[0] == "untrusted comment: made here"
    assert base64.b64decode(lines[1])[:2] == b"ED"  # prehashed
    assert base64.b64decode(lines[1])[2:10] == base64.b64decode(signer.public_key)[2:10]  # the key id
    assert lines[2] == f"trusted comment: {COMMENT}"
    assert len(base64.b64decode(lines[3])) == 64
    assert Signer(SEED).public_key == signer.public_key  # one seed, one public key text


def test_a_flipped_byte_of_the_data_fails(signer):
    data = bytearray(b"the whole tree" * 100)
    signature = signer.sign(bytes(data), trusted_comment=COMMENT)
    data[700] ^= 0x01

    with pytest.raises(BadSignature, match="does not match the data"):
        verify(bytes(data), signature, signer.public_key)


def test_an_altered_trusted_comment_fails(signer):
    signature = signer.sign(b"data", trusted_comment=COMMENT)
    forged = signature.replace("tree:abc", "tree:abd")

    with pytest.raises(BadSignature, match="trusted comment"):
        verify(b"data", forged, signer.public_key)


def test_an_untrusted_comment_may_change(signer):
    signature = signer.sign(b"data", trusted_comment=COMMENT).replace("signature from samizdat", "anything")

    assert verify(b"data", signature, signer.public_key) == COMMENT


def test_another_key_or_garbage_fails(signer):
    signature = signer.sign(b"data", trusted_comment=COMMENT)
    other = Signer(bytes(32))

    with pytest.raises(BadSignature, match="signed with key"):
        verify(b"data", signature, other.public_key)
    with pytest.raises(BadSignature):
        verify(b"data", "not a signature", signer.public_key)
    with pytest.raises(BadSignature):
        verify(b"data", signature, "RWnot-base64!")


def test_comments_are_single_lines(signer):
    with pytest.raises(ValueError, match="one line"):
        signer.sign(b"data", trusted_comment="a\nb")


def test_public_key_file_text_is_accepted(signer):
    signature = signer.sign(b"data", trusted_comment=COMMENT)

    assert verify(b"data", signature, signer.public_key_file) == COMMENT


def test_stock_minisign_accepts_our_signature(signer, tmp_path):
    if shutil.which("minisign") is None:  # make test and .ci/run install it: missing, it is a broken setup
        pytest.fail("the minisign program is not installed; run scripts/ensure_system.sh nginx (as root)")
    target = tmp_path / "manifest.json"
    target.write_bytes(b'{"files": []}\n' * 50)
    (tmp_path / "manifest.json.minisig").write_text(signer.sign(target.read_bytes(), trusted_comment=COMMENT))

    accepted = subprocess.run(
        ["minisign", "-Vm", str(target), "-P", signer.public_key], capture_output=True, text=True, check=False
    )
    assert accepted.returncode == 0, accepted.stderr
    assert COMMENT in accepted.stdout

    target.write_bytes(target.read_bytes() + b" ")
    refused = subprocess.run(
        ["minisign", "-Vm", str(target), "-P", signer.public_key], capture_output=True, check=False
    )
    assert refused.returncode != 0


def test_key_from_the_environment_setting(settings):
    settings.MIRROR_SIGNING_KEY = base64.b64encode(SEED).decode()

    assert Signer.from_settings().public_key == Signer(SEED).public_key


def test_a_throwaway_key_file_is_made_once_outside_production(settings, tmp_path):
    settings.MIRROR_SIGNING_KEY = ""
    settings.MIRROR_SIGNING_KEY_FILE = str(tmp_path / "var" / "signing.key")

    first = Signer.from_settings()
    assert (tmp_path / "var" / "signing.key").stat().st_mode & 0o777 == 0o600
    assert Signer.from_settings().public_key == first.public_key


def test_production_without_a_key_names_the_setting(settings, tmp_path):
    settings.IS_PRODUCTION = True
    settings.MIRROR_SIGNING_KEY = ""
    settings.MIRROR_SIGNING_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="MIRROR_SIGNING_KEY"):
        Signer.from_settings()

    settings.MIRROR_SIGNING_KEY_FILE = str(tmp_path / "absent.key")
    with pytest.raises(ImproperlyConfigured, match="MIRROR_SIGNING_KEY_FILE"):
        Signer.from_settings()
    assert not (tmp_path / "absent.key").exists()


def test_a_malformed_key_is_refused(settings):
    settings.MIRROR_SIGNING_KEY = "c2hvcnQ="
    with pytest.raises(ImproperlyConfigured, match="32-byte seed"):
        Signer.from_settings()
