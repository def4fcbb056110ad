"""Checking a mirror list as a careful reader's software would (REACH.md R2 checks 2, 3 and 5).

A list is accepted when, in this order:

1. it is JSON of the list's shape (:func:`shape_problems`: the Bypass Censorship v2 fields and ours);
2. its minisign signature verifies with a *trusted* key: before any list was accepted, the newsroom's key (or the
   one given); afterwards, the key of the newest accepted list and the key that list announced as
   ``next_public_key``. So a new key is trusted only once the old one has announced it, and once the new key has
   signed, the old one is no longer trusted (a list it signs later is refused);
3. the trusted comment (signed) repeats the JSON's ``sequence`` and ``valid_until``;
4. ``valid_until`` has not passed;
5. its ``sequence`` is not lower than the newest accepted list's (a replayed old list names dead mirrors), and a list
   with the same sequence is the very same list.

Everything refused raises :class:`ListRefused` with the reason.
"""

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from mirrors import mirror_list
from mirrors.models import AcceptedMirrorList
from mirrors.signing import BadSignature, key_id_text, parse_public_key, verify

_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_KEY = re.compile(r"^RW[A-Za-z0-9+/]{54}$")


class ListRefused(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Verified:
    sequence: int
    valid_until: dt.datetime
    public_key: str  # the key that signed it
    next_public_key: str | None
    digest: str
    alternatives: int
    already_accepted: bool


def _is_moment(value) -> bool:
    return isinstance(value, str) and bool(_MOMENT.match(value))


def shape_problems(payload) -> list[str]:
    """What keeps ``payload`` from being a mirror list of ``samizdat-mirrors/1`` (empty when it is one)."""
    if not isinstance(payload, dict):
        return ["the list is not a JSON object"]
    problems = []
    if payload.get("version") != "2.0":
        problems.append('version is not "2.0"')
    if payload.get("schema") != mirror_list.SCHEMA:
        problems.append(f'schema is not "{mirror_list.SCHEMA}"')
    sequence = payload.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        problems.append("sequence is not a positive whole number")
    for name in ("generated_at", "valid_until"):
        if not _is_moment(payload.get(name)):
            problems.append(f"{name} is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)")
    next_key = payload.get("next_public_key")
    if next_key is not None and not (isinstance(next_key, str) and _KEY.match(next_key)):
        problems.append("next_public_key is neither null nor a minisign public key")
    sites = payload.get("sites")
    if not isinstance(sites, list) or not sites:
        return [*problems, "sites is not a list of sites"]
    for number, site in enumerate(sites):
        if not isinstance(site, dict) or not isinstance(site.get("main_domain"), str):
            problems.append(f"sites[{number}] has no main_domain")
            continue
        alternatives = site.get("available_alternatives")
        if not isinstance(alternatives, list):
            problems.append(f"sites[{number}].available_alternatives is not a list")
            continue
        for index, entry in enumerate(alternatives):
            where = f"sites[{number}].available_alternatives[{index}]"
            if not isinstance(entry, dict):
                problems.append(f"{where} is not an object")
                continue
            for name in ("proto", "type", "url", "created_at", "updated_at"):
                if not isinstance(entry.get(name), str):
                    problems.append(f"{where}.{name} is not a string")
            if entry.get("kind") == "onion" and (entry.get("proto"), entry.get("type")) != ("tor", "eotk"):
                problems.append(f'{where} is an onion but not proto "tor", type "eotk"')
    return problems


def signed_by(signature: str) -> str:
    """The key id (as minisign prints it) a signature says it was made with; ``BadSignature`` if unreadable."""
    lines = signature.splitlines()
    try:
        blob = base64.b64decode(lines[1].strip(), validate=True)
    except (IndexError, binascii.Error, ValueError):
        raise BadSignature("not a minisign signature") from None
    if len(blob) != 74:
        raise BadSignature("not a minisign signature")
    return key_id_text(blob[2:10])


def trusted_keys(initial_key: str) -> tuple[list[str], AcceptedMirrorList | None]:
    """The keys a list may be signed with now, and the newest accepted list (``None`` before the first)."""
    last = AcceptedMirrorList.objects.order_by("-sequence", "-pk").first()
    if last is None:
        return [initial_key], None
    return [key for key in (last.public_key, last.next_public_key) if key], last


def check_list(data: bytes, signature: str, *, initial_key: str, now: dt.datetime) -> Verified:
    """Accept or refuse a list (see the module's docstring); nothing is stored here."""
    try:
        payload = json.loads(data)
    except ValueError:
        raise ListRefused("it is not JSON") from None
    problems = shape_problems(payload)
    if problems:
        raise ListRefused("it is not a mirror list: " + "; ".join(problems))
    keys, last = trusted_keys(initial_key)
    by_id = {}
    for trusted in keys:
        try:
            by_id[key_id_text(parse_public_key(trusted)[0])] = trusted
        except BadSignature:
            continue  # a malformed announced key is trusted for nothing
    try:
        signer_id = signed_by(signature)
    except BadSignature as error:
        raise ListRefused(f"its signature: {error}") from None
    key = by_id.get(signer_id)
    if key is None:
        trusted = ", ".join(sorted(by_id))
        raise ListRefused(f"it is signed by key {signer_id}, which is not trusted (trusted now: {trusted})")
    try:
        comment = verify(data, signature, key)
    except BadSignature as error:
        raise ListRefused(f"its signature does not verify: {error}") from None
    fields = mirror_list.comment_fields(comment)
    valid_until = mirror_list.parse_timestamp(payload["valid_until"])
    if fields.get("sequence") != str(payload["sequence"]) or fields.get("valid_until") != str(
        int(valid_until.timestamp())
    ):
        raise ListRefused("its signed comment names another sequence or end of validity than the list")
    if valid_until <= now:
        raise ListRefused(f"it expired at {payload['valid_until']}")
    digest = hashlib.sha256(data).hexdigest()
    sequence = payload["sequence"]
    already = False
    if last is not None:
        if sequence < last.sequence:
            raise ListRefused(f"its sequence {sequence} is lower than that of list {last.sequence}, already accepted")
        if sequence == last.sequence:
            if digest != last.digest:
                raise ListRefused(f"it is another list with the sequence {sequence} of a list already accepted")
            already = True
    return Verified(
        sequence=sequence,
        valid_until=valid_until,
        public_key=key,
        next_public_key=payload.get("next_public_key"),
        digest=digest,
        alternatives=len(mirror_list.public_alternatives(payload)),
        already_accepted=already,
    )
