"""Whether a DKIM signature of the From domain (or of a domain it belongs to) verifies.

Keys are looked up in DNS through dkimpy's own resolver, or through the function ``MIRROR_RESPONDER_DNSFUNC`` names
(``dnsfunc(name: bytes, timeout=5) -> bytes | None``, the TXT record), which is how tests stand in for DNS.
"""

import logging

import dkim
from django.conf import settings
from django.utils.module_loading import import_string

MAX_SIGNATURES = 5  # more DKIM-Signature headers than this are not tried one by one

logger = logging.getLogger(__name__)


def _dnsfunc():
    path = settings.MIRROR_RESPONDER_DNSFUNC
    return import_string(path) if path else dkim.dnsplug.get_txt


def _aligned(signing_domain: str, from_domain: str) -> bool:
    return from_domain == signing_domain or from_domain.endswith("." + signing_domain)


def verifies_for(raw: bytes, from_domain: str) -> bool:
    """True when one of the message's DKIM signatures verifies and was made by ``from_domain`` or a parent of it."""
    try:
        checker = dkim.DKIM(raw, logger=logger)
        count = sum(1 for name, _value in checker.headers if name.lower() == b"dkim-signature")
        dnsfunc = _dnsfunc()
        for index in range(min(count, MAX_SIGNATURES)):
            try:
                if not checker.verify(idx=index, dnsfunc=dnsfunc):
                    continue
            except dkim.DKIMException:
                continue
            domain = (checker.domain or b"").decode("ascii", "replace").lower().rstrip(".")
            if domain and _aligned(domain, from_domain):
                return True
    except Exception:  # broken mail or a failing lookup: not verified
        return False
    return False
