"""The demo's mirrors: one of each pool that readers may see a sign of, at addresses that exist nowhere.

Loaded by ``load_demo`` (``core.signals.demo_loaded``) through the named actions, once: a demo that already has
mirrors keeps them. The onion address is a well-formed v3 address of a key nobody holds.
"""

import hashlib

from core.actions import Actor
from mirrors.addresses import onion_address
from mirrors.models import Mirror

DEMO_ONION = "http://" + onion_address(hashlib.sha256(b"samizdat demo onion").digest())
DEMO_MIRRORS = [
    (DEMO_ONION, Mirror.Kind.ONION, Mirror.Carrier.ONION, Mirror.Pool.PUBLIC, "The demo's onion service."),
    ("https://cdn.mirrors-demo.example", Mirror.Kind.STATIC, Mirror.Carrier.CDN, Mirror.Pool.PUBLIC, "Demo CDN."),
    ("https://bucket.mirrors-demo.example/samizdat", Mirror.Kind.STATIC, Mirror.Carrier.BUCKET, Mirror.Pool.PUBLIC, ""),
    ("https://letter-7.mirrors-demo.example", Mirror.Kind.PROXY, Mirror.Carrier.DOMAIN, Mirror.Pool.NEWSLETTER, ""),
    ("https://reserve.mirrors-demo.example", Mirror.Kind.STATIC, Mirror.Carrier.DOMAIN, Mirror.Pool.PRIVATE, ""),
]


def load_demo_mirrors(sender=None, **kwargs):
    from mirrors.actions import add_mirror

    if Mirror.objects.exists():
        return
    actor = Actor.system("demo")
    for url, kind, carrier, pool, note in DEMO_MIRRORS:
        add_mirror(actor=actor, url=url, kind=kind, carrier=carrier, pool=pool, note=note)
