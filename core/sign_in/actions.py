"""Pausing sign-ins to an account or from a client address (``core.sign_in``): the named action and its audit entry.

The pause lives in the shared cache, where every sign-in reads it; the action claims it there and writes the audit
entry: the kind of source, the limits and the end, and for an account the user as its subject when one has that
name. Never what was typed: neither the username (an attacker's choice of string) nor, of course, the password. The
account's owner is mailed once per pause, from a task started after commit.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from core.actions import Actor, after_commit, record
from core.sign_in import state
from core.sign_in.tasks import send_sign_in_paused_notice


def _iso(timestamp):
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).isoformat(timespec="seconds")


def pause_sign_in(*, actor: Actor, source: state.Source) -> bool:
    """Pause signing in for ``source`` after its wrong passwords. Returns False if it was paused already (then
    nothing is written and nobody is told again)."""
    pause = state.claim_pause(source)
    if pause is None:
        return False
    user = state.account_user(source.name) if source.kind == state.ACCOUNT else None
    # The pause is in force from here on even if the audit write below fails: refusing sign-ins is the safe side.
    with transaction.atomic():
        entry = record(
            actor=actor,
            action="sign_in.paused",
            subject=user,
            kind=source.kind,
            failures=source.limit,
            window_seconds=settings.SIGN_IN_WINDOW,
            until=_iso(pause.until),
        )
        if user is not None and user.is_active and user.email:
            after_commit(send_sign_in_paused_notice.enqueue, entry.pk)
    return True
