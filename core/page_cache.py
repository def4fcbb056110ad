"""Whole reading pages kept as bytes, compressed once when stored, in Django's cache.

One cache round trip answers a hit: the entry and the current *generation* are read together, and an entry written
under an older generation is a miss. Publishing anything moves the generation, so readers never see a page from before
a publish.
Because both live in Django's cache (local memory by default, Redis by setting), several app processes agree once the
cache is shared. Requests by the onion service (``core/onion.py``) have entries of their own: a feed's links point at
the host it was asked by.
"""

import gzip
import hashlib
import time
import uuid
from http.client import responses

import brotli
from django.conf import settings
from django.core.cache import cache

from core import page_memo

GENERATION_KEY = "samizdat:pages:generation"
ENTRY_PREFIX = "samizdat:page:"
# Below this, compression costs more than it saves.
MIN_COMPRESS_BYTES = 512
# Headers a cached entry keeps; everything else is recomputed on every hit.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Cache-Control",
    "Content-Security-Policy",
    "Permissions-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Link",
)


def entry_key(path, *, onion=False):
    # Keys stay short and printable whatever the path: some cache servers refuse keys over 250 bytes, or with spaces,
    # control characters or anything outside ASCII (a decoded path may hold all of them).
    prefix = ENTRY_PREFIX + ("onion:" if onion else "")
    if len(path) > 150 or not (path.isascii() and path.isprintable()) or " " in path:
        return prefix + "sha256:" + hashlib.sha256(path.encode()).hexdigest()
    return prefix + path


def current_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = cache.get_or_set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    return generation


def invalidate_all_pages():
    """Forget every cached page (a new generation makes every stored entry stale)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    page_memo.announce()


def forget_path(path):
    """Forget the cached page at ``path`` alone (e.g. ``/support/goal.json`` once money has moved).

    Cheaper than :func:`invalidate_all_pages` and enough for a document whose contents changed without any page
    changing; other pages keep their entries until they expire or the next publish.
    """
    cache.delete_many([entry_key(path), entry_key(path, onion=True)])
    page_memo.announce(path)


def lookup(path, *, onion=False):
    """Return the stored entry for ``path`` (asked by the onion host or not) if it belongs to the current generation,
    else ``None``."""
    key = entry_key(path, onion=onion)
    found = cache.get_many([GENERATION_KEY, key])
    entry = found.get(key)
    if entry is None or found.get(GENERATION_KEY) is None or entry["generation"] != found[GENERATION_KEY]:
        return None
    return entry


def store(path, response, *, onion=False):
    """Keep ``response`` (already rendered) with its gzip and brotli forms, and return the entry."""
    body = bytes(response.content)
    entry = {
        "generation": current_generation(),
        "status": response.status_code,
        "headers": [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)],
        "identity": body,
        "gzip": None,
        "br": None,
    }
    if len(body) >= MIN_COMPRESS_BYTES:
        gz = gzip.compress(body, compresslevel=9, mtime=0)
        br = brotli.compress(body, quality=settings.PAGE_CACHE_BROTLI_QUALITY)
        entry["gzip"] = gz if len(gz) < len(body) else None
        entry["br"] = br if len(br) < len(body) else None
    timeout = min(settings.PAGE_CACHE_SECONDS, getattr(response, "samizdat_cache_seconds", settings.PAGE_CACHE_SECONDS))
    entry["expires"] = time.time() + timeout  # for the processes' own copies (core.page_memo)
    cache.set(entry_key(path, onion=onion), entry, timeout=timeout)
    return entry


def content_type(entry):
    """The entry's ``Content-Type`` (what ``HttpResponse`` starts with when it kept none)."""
    for name, value in entry["headers"]:
        if name == "Content-Type":
            return value
    return f"text/html; charset={settings.DEFAULT_CHARSET}"


def accepted_encodings(accept_encoding):
    """The content codings a client accepts, from its Accept-Encoding header (q=0 means refused)."""
    accepted = set()
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        if q > 0:
            accepted.add(name)
    return accepted


def choose_encoding(entry, accept_encoding):
    """Pick brotli, then gzip, then identity, among what the entry has and the client accepts."""
    if not accept_encoding:
        return "identity"
    accepted = accepted_encodings(accept_encoding)
    for name in ("br", "gzip"):
        if entry[name] is not None and (name in accepted or "*" in accepted):
            return name
    return "identity"


def status_line(status):
    """The WSGI status line Django sends for ``status`` (its reason phrases are those of ``http.client``)."""
    return f"{status} {responses.get(status, 'Unknown Status Code')}"


def strict_transport_security():
    """The Strict-Transport-Security value SecurityMiddleware sends over HTTPS, or ``""`` when HSTS is off."""
    if not settings.SECURE_HSTS_SECONDS:
        return ""
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


def answer(entry, *, method, accept_encoding, secure, cache_status, onion_location=""):
    """What a stored entry answers a request with: ``(status, headers, body)``, headers as ``[(name, value), ...]``.

    The one place a stored page becomes a response, for Django's middleware and for the WSGI fast path alike, so both
    send the same headers in the same order and the same bytes. ``Content-Type`` comes first, where Django puts it.
    HSTS depends on the request (``secure``: HTTPS, and not by the onion host), so it is never stored: it is added
    here as SecurityMiddleware would, and so is ``onion_location`` (``core.middleware.onion_location``), which names
    the request's own path and query.
    """
    encoding = choose_encoding(entry, accept_encoding)
    body = entry["identity"] if encoding == "identity" else entry[encoding]
    headers = [("Content-Type", content_type(entry))]
    headers += [(name, value) for name, value in entry["headers"] if name != "Content-Type"]
    if secure and (hsts := strict_transport_security()):
        headers.append(("Strict-Transport-Security", hsts))
    if onion_location:
        headers.append(("Onion-Location", onion_location))
    if encoding != "identity":
        headers.append(("Content-Encoding", encoding))
    headers += [("Content-Length", str(len(body))), ("Vary", "Accept-Encoding"), ("X-Page-Cache", cache_status)]
    return entry["status"], headers, b"" if method == "HEAD" else body
