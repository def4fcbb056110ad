"""The signed mirror list (REACH.md R2): what ``mirrors.json`` says, in what bytes, and when it must be signed again.

The file is the Bypass Censorship list format v2 (``version``, ``sites[].main_domain``,
``sites[].available_alternatives[].{proto, type, url, created_at, updated_at}``), which the Bypass Censorship browser
extension reads, plus our own fields (``schema``, ``sequence``, ``generated_at``, ``valid_until``, ``canonical``,
``next_public_key``, ``export``; and ``kind``, ``pool``, ``verified_at`` on each alternative), which it ignores.
``mirrors/schema/samizdat-mirrors-1.json`` describes it. Onions are ``proto: "tor", type: "eotk"``: the extension's
Tor button picks exactly those.

Only the ``public`` pool is ever written into this file, onions first. Its signature (minisign, Ed25519, prehashed:
:mod:`mirrors.signing`) carries a trusted comment ``timestamp:<unix>\\tfile:mirrors.json\\tsequence:<n>\\t
valid_until:<unix>``, so the sequence and the end of validity are signed twice over.

A new signing is due when what the list says changes (a mirror added, changed, retired or blocked; another key; a
newly announced next key; a new export's tree hash) or when half of its validity (``MIRROR_LIST_VALID_DAYS``) has
passed; never because a health check ran (``verified_at`` is taken as it stands at each signing).

``export.tree_hash`` is the tree hash of the origin's newest static export (``MIRROR_EXPORT_DIR``), which every
static mirror's signed ``manifest.json`` should carry. The export lists the mirror list's own files as *volatile*
(outside its tree hash), so signing a list never changes the tree hash it names.
"""

import datetime as dt
import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from mirrors.models import Mirror, MirrorList
from mirrors.signing import BadSignature, key_id_text, parse_public_key

SCHEMA = "samizdat-mirrors/1"
FILE_NAME = "mirrors.json"
MANIFEST_PATH = "/manifest.json"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
PUBLISHED_POOL = Mirror.Pool.PUBLIC


def timestamp(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC, to the second, with ``Z``."""
    return None if moment is None else moment.astimezone(dt.UTC).strftime(TIME_FORMAT)


def parse_timestamp(text: str) -> dt.datetime:
    """The moment an ISO 8601 text names (UTC when it names no zone); ``ValueError`` if it is none."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def listed_mirrors(pool: str):
    """The mirrors the list of ``pool`` names: neither retired nor blocked, onions first, then oldest first."""
    mirrors = Mirror.objects.filter(pool=pool, retired_at__isnull=True, blocked_at__isnull=True)
    return sorted(mirrors, key=lambda mirror: (mirror.kind != Mirror.Kind.ONION, mirror.added_at, mirror.pk))


def alternative(mirror: Mirror) -> dict:
    onion = mirror.kind == Mirror.Kind.ONION
    return {
        "proto": "tor" if onion else urlsplit(mirror.url).scheme,
        "type": "eotk" if onion else "mirror",
        "kind": mirror.kind,
        "pool": mirror.pool,
        "url": mirror.url,
        "created_at": timestamp(mirror.added_at),
        "updated_at": timestamp(mirror.updated_at),
        "verified_at": timestamp(mirror.verified_at),
    }


def main_domain() -> str:
    """The canonical host as the extension keys sites (without ``www.``)."""
    host = urlsplit(settings.CANONICAL_URL).hostname or ""
    return host.removeprefix("www.")


def origin_tree_hash() -> str | None:
    """The tree hash of the origin's newest export (``MIRROR_EXPORT_DIR/current/export.json``), or ``None``."""
    if not settings.MIRROR_EXPORT_DIR:
        return None
    try:
        info = json.loads((Path(settings.MIRROR_EXPORT_DIR) / "current" / "export.json").read_bytes())
    except (OSError, ValueError):
        return None
    tree_hash = info.get("tree_hash") if isinstance(info, dict) else None
    return tree_hash if isinstance(tree_hash, str) else None


def next_public_key(current_public_key: str) -> str | None:
    """The key the list announces as the next one (``MIRROR_NEXT_PUBLIC_KEY``), checked; ``None`` when none is set
    or it is the key signing now."""
    text = settings.MIRROR_NEXT_PUBLIC_KEY.strip()
    if not text:
        return None
    try:
        parse_public_key(text)
    except BadSignature as error:
        raise ImproperlyConfigured(f"MIRROR_NEXT_PUBLIC_KEY: {error}") from None
    return None if text == current_public_key else text


def content(*, public_key: str) -> dict:
    """What the next list says, but for its sequence and times (see :func:`signed_payload`)."""
    return {
        "canonical": settings.CANONICAL_URL,
        "next_public_key": next_public_key(public_key),
        "export": {"tree_hash": origin_tree_hash(), "manifest": MANIFEST_PATH},
        "main_domain": main_domain(),
        "alternatives": [alternative(mirror) for mirror in listed_mirrors(PUBLISHED_POOL)],
    }


def content_digest(listed: dict, *, public_key: str) -> str:
    """What :func:`content` says and who signs it, minus the moments each mirror was last verified."""
    stable = {
        **listed,
        "alternatives": [{k: v for k, v in entry.items() if k != "verified_at"} for entry in listed["alternatives"]],
        "public_key": public_key,
    }
    return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()


def signed_payload(listed: dict, *, sequence: int, generated_at: dt.datetime, valid_until: dt.datetime) -> dict:
    """The list as ``mirrors.json`` holds it, in the order a reader expects to find its fields."""
    return {
        "version": "2.0",
        "schema": SCHEMA,
        "sequence": sequence,
        "generated_at": timestamp(generated_at),
        "valid_until": timestamp(valid_until),
        "canonical": listed["canonical"],
        "next_public_key": listed["next_public_key"],
        "export": listed["export"],
        "sites": [{"main_domain": listed["main_domain"], "available_alternatives": listed["alternatives"]}],
    }


def list_bytes(payload: dict) -> bytes:
    """The one serialisation: the fields in :func:`signed_payload`'s order, two-space indent, UTF-8, a final newline."""
    return (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode()


def trusted_comment(*, sequence: int, generated_at: dt.datetime, valid_until: dt.datetime) -> str:
    return (
        f"timestamp:{int(generated_at.timestamp())}\tfile:{FILE_NAME}\tsequence:{sequence}"
        f"\tvalid_until:{int(valid_until.timestamp())}"
    )


def comment_fields(comment: str) -> dict:
    """``{"sequence": "42", …}`` from a trusted comment of tab-separated ``name:value`` fields."""
    return dict(field.partition(":")[::2] for field in comment.split("\t") if ":" in field)


def public_key_file(public_key: str) -> str:
    """A public key as ``minisign -G`` writes it: ``minisign -Vm mirrors.json -p samizdat-mirrors.pub``."""
    key_id, _raw = parse_public_key(public_key)
    return f"untrusted comment: minisign public key {key_id_text(key_id)}\n{public_key}\n"


def fingerprint(public_key: str) -> str:
    """The key id minisign prints for a key (16 hex digits)."""
    return key_id_text(parse_public_key(public_key)[0])


def valid_days() -> dt.timedelta:
    return dt.timedelta(days=settings.MIRROR_LIST_VALID_DAYS)


def renewal_due(mirror_list: MirrorList, now: dt.datetime) -> bool:
    """Whether half of the list's validity has passed (or all of it)."""
    lifetime = mirror_list.valid_until - mirror_list.generated_at
    return now >= mirror_list.generated_at + lifetime / 2


def latest_list() -> MirrorList | None:
    return MirrorList.objects.order_by("-sequence").first()


def parsed(mirror_list: MirrorList) -> dict:
    """A stored list's JSON, read back (the pages and the feed show what the signed bytes say, nothing else)."""
    return json.loads(mirror_list.body)


def public_alternatives(payload: dict) -> list[dict]:
    """Every alternative of every site in a list's JSON."""
    return [entry for site in payload.get("sites", []) for entry in site.get("available_alternatives", [])]
