"""Is a mirror carrying the current site? What ``manage.py check_mirrors`` asks each mirror.

* A **static copy** (and an onion, which serves an export too) must serve our signed ``manifest.json``: its signature
  must verify with our key (or the announced next one), its trusted comment must name the tree it lists, and its tree
  hash must be the origin's newest export's (``MIRROR_EXPORT_DIR``). Same hash: *fresh*; another hash: *stale* (an
  older export, or one not yet synced); anything else — no answer, an HTTP error, a manifest that does not verify —
  *down*, with the reason.
* A **reverse proxy** passes the live site through, so it must serve the very bytes of the newest signed
  ``mirrors.json``: the same bytes, *fresh*; an older list that still verifies, *stale*; otherwise *down*.

Onion services are reached only through Tor, which this check does not speak: they are reported as not checked.
"""

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from mirrors.export.manifest import MANIFEST, SIGNATURE
from mirrors.fetch import FetchFailed, fetch, under
from mirrors.mirror_list import comment_fields
from mirrors.models import Mirror
from mirrors.signing import BadSignature, verify

MANIFEST_LIMIT = 256 << 20  # a manifest lists every file: about 200 bytes each
SIGNATURE_LIMIT = 4096
LIST_LIMIT = 4 << 20


@dataclass(frozen=True)
class Reference:
    """What a mirror is compared with: the origin's export and its newest list."""

    tree_hash: str | None
    public_keys: tuple  # the keys a manifest may be signed with (ours, and the announced next one)
    list_bytes: bytes | None
    list_sequence: int | None
    list_public_key: str | None


@dataclass(frozen=True)
class Finding:
    health: str
    detail: str


def _verified(data, signature, keys):
    """The trusted comment of the first key that verifies the signature; raises the last ``BadSignature``."""
    problem = BadSignature("no key to check with")
    for key in keys:
        try:
            return verify(data, signature, key)
        except BadSignature as error:
            problem = error
    raise problem


def check_static(mirror: Mirror, reference: Reference, *, timeout: float) -> Finding:
    try:
        data = fetch(under(mirror.url, MANIFEST), timeout=timeout, limit=MANIFEST_LIMIT)
        signature = fetch(under(mirror.url, SIGNATURE), timeout=timeout, limit=SIGNATURE_LIMIT).decode("utf-8")
    except FetchFailed as error:
        return Finding(Mirror.Health.DOWN, str(error))
    except UnicodeDecodeError:
        return Finding(Mirror.Health.DOWN, f"{SIGNATURE} is not text")
    try:
        comment = _verified(data, signature, reference.public_keys)
    except BadSignature as error:
        return Finding(Mirror.Health.DOWN, f"{MANIFEST} is not signed with our key: {error}")
    try:
        manifest = json.loads(data)
        tree_hash = manifest["tree_hash"]
    except (ValueError, KeyError, TypeError):
        return Finding(Mirror.Health.DOWN, f"{MANIFEST} is signed but not a manifest")
    if comment_fields(comment).get("tree") != tree_hash:
        return Finding(Mirror.Health.DOWN, f"the signature of {MANIFEST} names another tree than it lists")
    export = manifest.get("export_id", "?")
    if tree_hash == reference.tree_hash:
        return Finding(Mirror.Health.FRESH, f"export {export}, tree {tree_hash[:12]}…")
    return Finding(
        Mirror.Health.STALE,
        f"export {export} of {manifest.get('generated_at', '?')}: tree {str(tree_hash)[:12]}…, "
        f"the origin's is {str(reference.tree_hash)[:12]}…",
    )


def check_proxy(mirror: Mirror, reference: Reference, *, timeout: float) -> Finding:
    try:
        data = fetch(under(mirror.url, "mirrors.json"), timeout=timeout, limit=LIST_LIMIT)
        signature = fetch(under(mirror.url, "mirrors.json.minisig"), timeout=timeout, limit=SIGNATURE_LIMIT).decode()
    except FetchFailed as error:
        return Finding(Mirror.Health.DOWN, str(error))
    except UnicodeDecodeError:
        return Finding(Mirror.Health.DOWN, "mirrors.json.minisig is not text")
    if data == reference.list_bytes:
        return Finding(Mirror.Health.FRESH, f"serves list {reference.list_sequence}")
    try:
        comment = verify(data, signature, reference.list_public_key or "")
    except BadSignature as error:
        return Finding(Mirror.Health.DOWN, f"mirrors.json is not our list: {error}")
    sequence = comment_fields(comment).get("sequence", "?")
    return Finding(Mirror.Health.STALE, f"serves list {sequence}, the newest is {reference.list_sequence}")


def needs_tor(mirror: Mirror) -> bool:
    return mirror.kind == Mirror.Kind.ONION


def check(mirror: Mirror, reference: Reference, *, timeout: float) -> Finding:
    if mirror.kind == Mirror.Kind.PROXY:
        return check_proxy(mirror, reference, timeout=timeout)
    return check_static(mirror, reference, timeout=timeout)


def check_all(mirrors, reference: Reference, *, timeout: float, workers: int = 8) -> list[tuple[Mirror, Finding]]:
    """Each mirror's finding, asked of several mirrors at a time (the answers are only waited for)."""
    if not mirrors:
        return []
    with ThreadPoolExecutor(max_workers=min(workers, len(mirrors))) as pool:
        findings = list(pool.map(lambda mirror: check(mirror, reference, timeout=timeout), mirrors))
    return list(zip(mirrors, findings, strict=True))
