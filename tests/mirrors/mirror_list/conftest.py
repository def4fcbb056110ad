"""What the mirror list's tests share: a clean slate of mirrors, ways to add them, valid onion addresses, keys."""

import base64
import hashlib

import pytest

from core.actions import Actor
from mirrors.actions import add_mirror
from mirrors.addresses import onion_address
from mirrors.models import AcceptedMirrorList, Mirror, MirrorList

TEST_ACTOR = Actor.system("mirror-list-test")


@pytest.fixture
def clean_slate(db):
    """No mirror, no signed list, nothing accepted: each test starts from what it adds (the demo's mirrors, and any
    list the session's export signed, come back when the test's transaction rolls back)."""
    Mirror.objects.all().delete()
    MirrorList.objects.all().delete()
    AcceptedMirrorList.objects.all().delete()


def onion(name: str) -> str:
    """A well-formed v3 onion address (of a key made from ``name``), as a mirror's URL."""
    return "http://" + onion_address(hashlib.sha256(name.encode()).digest())


def add(url, *, kind=None, pool=Mirror.Pool.PUBLIC, carrier=None, note=""):
    kind = kind or (Mirror.Kind.ONION if ".onion" in url else Mirror.Kind.STATIC)
    carrier = carrier or (Mirror.Carrier.ONION if kind == Mirror.Kind.ONION else Mirror.Carrier.DOMAIN)
    return add_mirror(actor=TEST_ACTOR, url=url, kind=kind, carrier=carrier, pool=pool, note=note)


def seed(name: str) -> str:
    """A signing key's seed as MIRROR_SIGNING_KEY takes it (base64 of 32 bytes), made from ``name``."""
    return base64.b64encode(hashlib.sha256(b"key " + name.encode()).digest()).decode()


def public_key_of(name: str) -> str:
    """The public key (RW…) of the seed :func:`seed` makes from ``name``."""
    from mirrors.signing import Signer

    return Signer(base64.b64decode(seed(name))).public_key


@pytest.fixture
def a_few_mirrors(clean_slate, django_capture_on_commit_callbacks):
    """One mirror of each pool, two of them public (an onion and a CDN copy), committed as far as the page cache and
    the published tree can tell (their after-commit work has run)."""
    with django_capture_on_commit_callbacks(execute=True):
        return {
            "onion": add(onion("public onion")),
            "cdn": add("https://cdn.mirror-test.example", carrier=Mirror.Carrier.CDN),
            "newsletter": add("https://letter.mirror-test.example", pool=Mirror.Pool.NEWSLETTER),
            "email": add("https://mailbox.mirror-test.example", pool=Mirror.Pool.EMAIL),
            "app": add("https://app.mirror-test.example", kind=Mirror.Kind.PROXY, pool=Mirror.Pool.APP),
            "private": add(onion("private onion"), pool=Mirror.Pool.PRIVATE),
        }
