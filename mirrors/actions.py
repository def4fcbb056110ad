"""Every write of the mirrors app: add, change, block, retire and restore a mirror, record its health, sign the list,
accept a list that was checked.

Each action is atomic, takes the row lock of what it changes, treats "already so" as done (no audit entry, no new
signing), and writes one audit entry when it changes something. Whatever changes what the public list says signs a
new list in the same transaction (:func:`sign_mirror_list`), so the list readers fetch after the commit never names a
blocked mirror; a health check only records what it found (the list is not signed again for it).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import Actor, record
from core.changes import SNIPPET, Change, announce
from core.errors import DomainError, MissingRow
from mirrors import mirror_list
from mirrors.models import AcceptedMirrorList, Mirror, MirrorList
from mirrors.signing import Signer
from mirrors.validation import check_mirror

# What the list publishes of a mirror: a change to any of these is a change of the list.
PUBLISHED_FIELDS = ("url", "kind", "pool")
EDITABLE_FIELDS = ("url", "kind", "carrier", "pool", "note")


class MirrorListNotSigned(DomainError):
    """The list could not be signed (no key configured, or a bad next key); nothing was changed."""


@dataclass(frozen=True)
class Signing:
    mirror_list: MirrorList
    signed: bool  # a new list was signed (else the newest one still says everything)


def _now(now):
    return now or timezone.now().replace(microsecond=0)


# --- the list


def sign_mirror_list(*, actor: Actor, now: dt.datetime | None = None, force: bool = False, reason: str = "") -> Signing:
    """Sign a new public list when one is due: there is none yet, what it would say differs from the newest, half its
    validity has passed, or ``force``. The new list's sequence is one more than the newest's."""
    now = _now(now)
    try:
        signer = Signer.from_settings()
        for attempt in range(3):
            try:
                with transaction.atomic():
                    return _sign_if_due(actor, signer, now, force=force, reason=reason)
            except IntegrityError:  # another process signed the same sequence at the same moment: count on from it
                if attempt == 2:
                    raise
    except ImproperlyConfigured as error:
        raise MirrorListNotSigned(_("The mirror list cannot be signed: %(error)s") % {"error": error}) from None
    raise AssertionError("unreachable")


def _sign_if_due(actor, signer, now, *, force, reason):
    # The newest list's row lock first: what the list says is read only once no other signing can be under way, so
    # two transactions that each changed a mirror never sign a list missing the other's change.
    latest = MirrorList.objects.select_for_update().order_by("-sequence").first()
    listed = mirror_list.content(public_key=signer.public_key)
    digest = mirror_list.content_digest(listed, public_key=signer.public_key)
    unchanged = latest is not None and latest.content_digest == digest
    if unchanged and not force and not mirror_list.renewal_due(latest, now):
        return Signing(latest, signed=False)
    if latest is None:
        why = "first"
    elif latest.content_digest != digest:
        why = "changed"
    else:
        why = "forced" if force else "renewed"
    sequence = 1 if latest is None else latest.sequence + 1
    if latest is not None and now < latest.generated_at:
        now = latest.generated_at  # a clock that went back must not make a newer list look older
    valid_until = now + mirror_list.valid_days()
    data = mirror_list.list_bytes(
        mirror_list.signed_payload(listed, sequence=sequence, generated_at=now, valid_until=valid_until)
    )
    signature = signer.sign(
        data,
        trusted_comment=mirror_list.trusted_comment(sequence=sequence, generated_at=now, valid_until=valid_until),
        untrusted_comment=f"samizdat mirror list {sequence}",
    )
    signed = MirrorList.objects.create(
        sequence=sequence,
        generated_at=now,
        valid_until=valid_until,
        body=data.decode(),
        signature=signature,
        public_key=signer.public_key,
        content_digest=digest,
    )
    record(
        actor=actor,
        action="mirror_list.signed",
        subject=signed,
        sequence=sequence,
        alternatives=len(listed["alternatives"]),
        why=why,
        trigger=reason,
    )
    # the published tree rewrites the mirror list's files; every app process forgets its cached copies
    announce(Change(SNIPPET, f"{MirrorList._meta.label_lower}:{signed.pk}"))
    return Signing(signed, signed=True)


# --- mirrors


def _locked(mirror_id) -> Mirror:
    mirror = Mirror.objects.select_for_update().filter(pk=mirror_id).first()
    if mirror is None:
        raise MissingRow(_("There is no such mirror (it may have been removed meanwhile)."))
    return mirror


def _checked(fields, *, exclude_pk=None) -> dict:
    try:
        return check_mirror(**fields, exclude_pk=exclude_pk)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from None


def add_mirror(*, actor: Actor, url: str, kind: str, carrier: str, pool: str, note: str = "", now=None) -> Mirror:
    """A new mirror; the public list is signed again when it joins the public pool."""
    now = _now(now)
    fields = _checked({"url": url, "kind": kind, "carrier": carrier, "pool": pool})
    with transaction.atomic():
        try:
            with transaction.atomic():
                mirror = Mirror.objects.create(**fields, note=note.strip(), added_at=now, updated_at=now)
        except IntegrityError:  # added by someone else since the form was checked
            raise DomainError(_("This address is already in the list of mirrors.")) from None
        record(actor=actor, action="mirror.added", subject=mirror, url=mirror.url, kind=mirror.kind, pool=mirror.pool)
        sign_mirror_list(actor=actor, now=now, reason="mirror added")
    return mirror


def change_mirror(*, actor: Actor, mirror_id: int, now=None, **values) -> Mirror:
    """Change what editors may edit of a mirror (``EDITABLE_FIELDS``); unchanged values change nothing."""
    now = _now(now)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        mirror = _locked(mirror_id)
        wanted = {name: getattr(mirror, name) for name in EDITABLE_FIELDS} | values
        checked = _checked({name: wanted[name] for name in ("url", "kind", "carrier", "pool")}, exclude_pk=mirror.pk)
        wanted |= checked | {"note": (wanted["note"] or "").strip()}
        changed = [name for name in EDITABLE_FIELDS if getattr(mirror, name) != wanted[name]]
        if not changed:
            return mirror
        for name in changed:
            setattr(mirror, name, wanted[name])
        if set(changed) & set(PUBLISHED_FIELDS):
            mirror.updated_at = now
        try:
            with transaction.atomic():
                mirror.save()
        except IntegrityError:
            raise DomainError(_("This address is already in the list of mirrors.")) from None
        record(actor=actor, action="mirror.changed", subject=mirror, fields=changed, url=mirror.url, pool=mirror.pool)
        sign_mirror_list(actor=actor, now=now, reason="mirror changed")
    return mirror


def _set_moment(action, field, *, actor, mirror_id, now):
    now = _now(now)
    with transaction.atomic():
        mirror = _locked(mirror_id)
        if getattr(mirror, field) is not None:
            return mirror, False
        setattr(mirror, field, now)
        mirror.save(update_fields=[field])
        record(actor=actor, action=action, subject=mirror, url=mirror.url, pool=mirror.pool)
        sign_mirror_list(actor=actor, now=now, reason=action.replace(".", " "))
    return mirror, True


def block_mirror(*, actor: Actor, mirror_id: int, now=None) -> tuple[Mirror, bool]:
    """The censor blocks this mirror: it leaves the list now, with a new signing. Returns (mirror, changed)."""
    return _set_moment("mirror.blocked", "blocked_at", actor=actor, mirror_id=mirror_id, now=now)


def retire_mirror(*, actor: Actor, mirror_id: int, now=None) -> tuple[Mirror, bool]:
    """The newsroom stops running this mirror: it leaves the list now. Returns (mirror, changed)."""
    return _set_moment("mirror.retired", "retired_at", actor=actor, mirror_id=mirror_id, now=now)


def restore_mirror(*, actor: Actor, mirror_id: int, now=None) -> tuple[Mirror, bool]:
    """Put a blocked or retired mirror back on its pool's list. Returns (mirror, changed)."""
    now = _now(now)
    with transaction.atomic():
        mirror = _locked(mirror_id)
        if mirror.listed:
            return mirror, False
        mirror.blocked_at = mirror.retired_at = None
        mirror.updated_at = now
        mirror.save(update_fields=["blocked_at", "retired_at", "updated_at"])
        record(actor=actor, action="mirror.restored", subject=mirror, url=mirror.url, pool=mirror.pool)
        sign_mirror_list(actor=actor, now=now, reason="mirror restored")
    return mirror, True


def record_mirror_health(*, actor: Actor, mirror_id: int, health: str, detail: str = "", now=None) -> Mirror:
    """What a check found: always when it ran; an audit entry only when the health changed."""
    if health not in Mirror.Health.values or health == Mirror.Health.UNKNOWN:
        raise ValueError(f"not a health a check can find: {health!r}")
    now = _now(now)
    with transaction.atomic():
        mirror = _locked(mirror_id)
        before = mirror.health
        mirror.health, mirror.health_detail, mirror.checked_at = health, detail[:300], now
        if health == Mirror.Health.FRESH:
            mirror.verified_at = now
        mirror.save(update_fields=["health", "health_detail", "checked_at", "verified_at"])
        if before != health:
            record(actor=actor, action="mirror.health", subject=mirror, was=before, now=health, detail=detail)
    return mirror


# --- lists checked by verify_mirrors


def accept_mirror_list(
    *, actor: Actor, sequence: int, digest: str, public_key: str, next_public_key: str, source: str, now=None
) -> AcceptedMirrorList:
    """Remember a list that verified, so that an older one, or one signed by an unannounced key, is refused later."""
    now = _now(now)
    with transaction.atomic():
        accepted = AcceptedMirrorList.objects.create(
            sequence=sequence,
            digest=digest,
            public_key=public_key,
            next_public_key=next_public_key or "",
            source=source[:500],
            accepted_at=now,
        )
        record(
            actor=actor,
            action="mirror_list.accepted",
            subject=accepted,
            sequence=sequence,
            source=source[:500],
            key=mirror_list.fingerprint(public_key),
        )
    return accepted
